import { Controller, Get, Ip, Query } from '@nestjs/common';
import { RegistrationTokensService } from '@hearth/accounts';
import { MatrixError, RateLimitsService } from '@hearth/http';

@Controller('_matrix/client/v1/register/m.login.registration_token')
export class RegistrationTokenValidityController {
  constructor(
    private readonly tokens: RegistrationTokensService,
    private readonly limits: RateLimitsService,
  ) {}

  /** GET /_matrix/client/v1/register/m.login.registration_token/validity */
  @Get('validity')
  async validity(@Ip() address: string, @Query('token') token: string | undefined) {
    await this.limits.consume('registration_token_validity', { address });
    if (!token) throw MatrixError.missingParam('token is required');
    return { valid: await this.tokens.isValid(token) };
  }
}
