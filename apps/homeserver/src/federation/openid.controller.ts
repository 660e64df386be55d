import { Controller, Get, Query } from '@nestjs/common';
import { OpenIdTokensService } from '@hearth/accounts';
import { MatrixError } from '@hearth/http';

/** Asked by third parties, not servers: no X-Matrix signature, the OpenID token is the credential. */
@Controller('_matrix/federation/v1/openid')
export class FederationOpenIdController {
  constructor(private readonly openid: OpenIdTokensService) {}

  /** GET /_matrix/federation/v1/openid/userinfo */
  @Get('userinfo')
  async userinfo(@Query('access_token') token?: string) {
    if (!token) throw new MatrixError(401, 'M_MISSING_TOKEN', 'access_token is required');
    return { sub: await this.openid.userOf(token) };
  }
}
