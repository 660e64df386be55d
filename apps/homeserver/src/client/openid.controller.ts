import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, OpenIdTokensService, Requester } from '@hearth/accounts';

@Controller('_matrix/client/v3/user/:userId/openid')
@UseGuards(AccessTokenGuard)
export class OpenIdController {
  constructor(private readonly openid: OpenIdTokensService) {}

  /** POST /_matrix/client/v3/user/{userId}/openid/request_token */
  @Post('request_token')
  @HttpCode(200)
  requestToken(@Requester() who: Requester, @Param('userId') userId: string) {
    return this.openid.issue(who.userId, userId);
  }
}
