import { Body, Controller, Get, HttpCode, Ip, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH, RegistrationService } from '@hearth/accounts';
import { MatrixError, nullsAsAbsent, RateLimitsService, ZodBodyPipe } from '@hearth/http';

/** Every field is optional, and a null one is read as absent, as Synapse reads it (matrix-nio sends nulls). */
const RegisterBody = nullsAsAbsent(
  z.object({
    username: z.string().max(255).optional(),
    password: z.string().min(1).max(MAX_PASSWORD_LENGTH).optional(),
    device_id: z.string().min(1).max(255).optional(),
    initial_device_display_name: z.string().max(255).optional(),
    inhibit_login: z.boolean().optional(),
    refresh_token: z.boolean().optional(),
    auth: z.unknown().optional(),
  }),
);

@Controller('_matrix/client/v3/register')
export class RegisterController {
  constructor(
    private readonly registration: RegistrationService,
    private readonly limits: RateLimitsService,
  ) {}

  /** POST /_matrix/client/v3/register */
  @Post()
  @HttpCode(200)
  async register(
    @Req() request: FastifyRequest,
    @Query('kind') kind: string | undefined,
    @Body(new ZodBodyPipe(RegisterBody)) body: z.output<typeof RegisterBody>,
  ) {
    await this.limits.consume('registration', { address: request.ip });
    if (kind === 'guest') throw new MatrixError(403, 'M_GUEST_ACCESS_FORBIDDEN', 'Guest access is disabled');
    if (kind !== undefined && kind !== 'user') throw MatrixError.invalidParam('kind must be user or guest');
    return this.registration.register({
      method: request.method,
      path: request.url,
      username: body.username,
      password: body.password,
      deviceId: body.device_id,
      initialDeviceDisplayName: body.initial_device_display_name,
      inhibitLogin: body.inhibit_login ?? false,
      refreshToken: body.refresh_token ?? false,
      auth: body.auth,
    });
  }

  /** GET /_matrix/client/v3/register/available */
  @Get('available')
  async available(@Ip() address: string, @Query('username') username: string | undefined) {
    await this.limits.consume('registration', { address });
    if (!username) throw MatrixError.missingParam('username is required');
    await this.registration.checkAvailable(username);
    return { available: true };
  }
}
