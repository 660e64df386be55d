import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from '@hearth/accounts';

@Controller('_matrix/client/v3')
export class CapabilitiesController {
  /** GET /_matrix/client/v3/capabilities — what this account may change about itself. */
  @Get('capabilities')
  @UseGuards(AccessTokenGuard)
  capabilities() {
    return {
      capabilities: {
        'm.change_password': { enabled: true },
        'm.set_displayname': { enabled: true },
        'm.set_avatar_url': { enabled: true },
        'm.3pid_changes': { enabled: false },
        'm.get_login_token': { enabled: false },
      },
    };
  }
}
