import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AdminGuard, RegistrationTokensService, toRegistrationTokenResponse } from '@hearth/accounts';
import { MatrixError, ZodBodyPipe } from '@hearth/http';

const NewTokenBody = z.object({
  token: z.string().optional(),
  uses_allowed: z.number().int().min(0).nullable().optional(),
  expiry_time: z.number().int().nullable().optional(),
  length: z.number().int().min(1).max(64).optional(),
});
const UpdateTokenBody = z.object({
  uses_allowed: z.number().int().min(0).nullable().optional(),
  expiry_time: z.number().int().nullable().optional(),
});

@Controller('_synapse/admin/v1/registration_tokens')
@UseGuards(AdminGuard)
export class AdminRegistrationTokensController {
  constructor(private readonly tokens: RegistrationTokensService) {}

  /** GET /_synapse/admin/v1/registration_tokens */
  @Get()
  async list(@Query('valid') valid?: string) {
    const now = Date.now();
    const all = await this.tokens.list();
    const isValid = (t: (typeof all)[number]) =>
      (t.expiryTime === null || t.expiryTime > now) &&
      (t.usesAllowed === null || t.pending + t.completed < t.usesAllowed);
    const filtered = valid === undefined ? all : all.filter((t) => isValid(t) === (valid === 'true'));
    return { registration_tokens: filtered.map(toRegistrationTokenResponse) };
  }

  /** POST /_synapse/admin/v1/registration_tokens/new */
  @Post('new')
  @HttpCode(200)
  async create(@Body(new ZodBodyPipe(NewTokenBody)) body: z.output<typeof NewTokenBody>) {
    const created = await this.tokens.create({
      token: body.token,
      usesAllowed: body.uses_allowed,
      expiryTime: body.expiry_time,
      length: body.length,
    });
    return toRegistrationTokenResponse(created);
  }

  /** GET /_synapse/admin/v1/registration_tokens/{token} */
  @Get(':token')
  async get(@Param('token') token: string) {
    const found = await this.tokens.get(token);
    if (!found) throw MatrixError.notFound('No such registration token');
    return toRegistrationTokenResponse(found);
  }

  /** PUT /_synapse/admin/v1/registration_tokens/{token} */
  @Put(':token')
  async update(
    @Param('token') token: string,
    @Body(new ZodBodyPipe(UpdateTokenBody)) body: z.output<typeof UpdateTokenBody>,
  ) {
    return toRegistrationTokenResponse(
      await this.tokens.update(token, { usesAllowed: body.uses_allowed, expiryTime: body.expiry_time }),
    );
  }

  /** DELETE /_synapse/admin/v1/registration_tokens/{token} */
  @Delete(':token')
  async revoke(@Param('token') token: string) {
    await this.tokens.revoke(token);
    return {};
  }
}
