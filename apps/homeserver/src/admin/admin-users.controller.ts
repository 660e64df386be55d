import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AdminGuard, AdminUsersService, MAX_PASSWORD_LENGTH } from '@hearth/accounts';
import { MatrixError, ZodBodyPipe } from '@hearth/http';
import { RoomDeparture } from '@hearth/rooms';
import { ErasureService } from '@hearth/sovereignty';

const UpsertBody = z.object({
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH).optional(),
  displayname: z.string().max(256).nullable().optional(),
  admin: z.boolean().optional(),
  deactivated: z.boolean().optional(),
  logout_devices: z.boolean().optional(),
});
const ResetPasswordBody = z.object({
  new_password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  logout_devices: z.boolean().optional(),
});
const DeactivateBody = z.object({ erase: z.boolean().optional() }).optional();

/** The users part of Synapse's admin API, so existing admin tools work against Hearth. */
@Controller('_synapse/admin')
@UseGuards(AdminGuard)
export class AdminUsersController {
  constructor(
    private readonly users: AdminUsersService,
    private readonly erasure: ErasureService,
    private readonly departure: RoomDeparture,
  ) {}

  /** GET /_synapse/admin/v2/users */
  @Get('v2/users')
  list(@Query('from') from = '0', @Query('limit') limit = '100', @Query('deactivated') deactivated = 'false') {
    return this.users.list(
      nonNegative('from', from),
      Math.min(nonNegative('limit', limit), 1000),
      deactivated === 'true',
    );
  }

  /** GET /_synapse/admin/v2/users/{userId} */
  @Get('v2/users/:userId')
  get(@Param('userId') userId: string) {
    return this.users.get(userId);
  }

  /** PUT /_synapse/admin/v2/users/{userId} — 201 when it created the account. */
  @Put('v2/users/:userId')
  async upsert(
    @Param('userId') userId: string,
    @Body(new ZodBodyPipe(UpsertBody)) body: z.output<typeof UpsertBody>,
    @Res() reply: FastifyReply,
  ) {
    const { created, user } = await this.users.upsert(userId, {
      password: body.password,
      displayname: body.displayname,
      admin: body.admin,
      deactivated: body.deactivated,
      logoutDevices: body.logout_devices,
    });
    await reply.status(created ? 201 : 200).send(user);
  }

  /** POST /_synapse/admin/v1/reset_password/{userId} */
  @Post('v1/reset_password/:userId')
  @HttpCode(200)
  async resetPassword(
    @Param('userId') userId: string,
    @Body(new ZodBodyPipe(ResetPasswordBody)) body: z.output<typeof ResetPasswordBody>,
  ) {
    await this.users.resetPassword(userId, body.new_password, body.logout_devices ?? true);
    return {};
  }

  /** POST /_synapse/admin/v1/deactivate/{userId} */
  @Post('v1/deactivate/:userId')
  @HttpCode(200)
  async deactivate(@Param('userId') userId: string, @Body() body: unknown) {
    const parsed = DeactivateBody.safeParse(body);
    if (!parsed.success) throw MatrixError.badJson('erase must be a boolean');
    // Erasure leaves the rooms itself, before the last of the account's notifications go.
    if (parsed.data?.erase) await this.erasure.eraseByAdmin(userId);
    else {
      await this.users.deactivate(userId);
      await this.departure.leaveEverything(userId);
    }
    return { id_server_unbind_result: 'success' };
  }
}

function nonNegative(name: string, value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw MatrixError.invalidParam(`${name} must be a non-negative integer`);
  return Number(value);
}
