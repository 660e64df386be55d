import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '@hearth/accounts';

/** Hearth runs no application-service bridges, so it knows no third-party protocols. */
@Controller('_matrix/client/v3/thirdparty')
@UseGuards(AccessTokenGuard)
export class ThirdPartyController {
  /** GET /_matrix/client/v3/thirdparty/protocols */
  @Get('protocols')
  protocols() {
    return {};
  }
}
