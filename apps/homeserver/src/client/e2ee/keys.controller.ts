import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { KeysService } from '@hearth/e2ee';

@Controller('_matrix/client/v3/keys')
@UseGuards(AccessTokenGuard)
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  /** POST /_matrix/client/v3/keys/upload */
  @Post('upload')
  @HttpCode(200)
  upload(@Requester() who: Requester, @Body() body: unknown) {
    return this.keys.upload({ userId: who.userId, deviceId: who.deviceId }, body);
  }

  /** POST /_matrix/client/v3/keys/query */
  @Post('query')
  @HttpCode(200)
  query(@Body() body: unknown) {
    return this.keys.query(body);
  }

  /** POST /_matrix/client/v3/keys/claim */
  @Post('claim')
  @HttpCode(200)
  claim(@Body() body: unknown) {
    return this.keys.claim(body);
  }
}
