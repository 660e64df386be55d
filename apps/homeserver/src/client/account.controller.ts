import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AccessTokenGuard, AccountLifeService, MAX_PASSWORD_LENGTH, Requester } from '@hearth/accounts';
import { ZodBodyPipe } from '@hearth/http';
import { RoomDeparture } from '@hearth/rooms';
import { ErasureService } from '@hearth/sovereignty';

const PasswordBody = z.object({
  new_password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
  logout_devices: z.boolean().optional(),
  auth: z.unknown().optional(),
});

const DeactivateBody = z.object({
  auth: z.unknown().optional(),
  erase: z.boolean().optional(),
  id_server: z.string().optional(),
});

@Controller('_matrix/client/v3/account')
@UseGuards(AccessTokenGuard)
export class AccountController {
  constructor(
    private readonly account: AccountLifeService,
    private readonly erasure: ErasureService,
    private readonly departure: RoomDeparture,
  ) {}

  /** POST /_matrix/client/v3/account/password */
  @Post('password')
  @HttpCode(200)
  async changePassword(
    @Req() request: FastifyRequest,
    @Requester() who: Requester,
    @Body(new ZodBodyPipe(PasswordBody)) body: z.output<typeof PasswordBody>,
  ) {
    await this.account.changePassword(
      { method: request.method, path: request.url, auth: body.auth, userId: who.userId },
      who.deviceId,
      { newPassword: body.new_password, logoutDevices: body.logout_devices ?? true },
    );
    return {};
  }

  /** POST /_matrix/client/v3/account/deactivate */
  @Post('deactivate')
  @HttpCode(200)
  async deactivate(
    @Req() request: FastifyRequest,
    @Requester() who: Requester,
    @Body(new ZodBodyPipe(DeactivateBody)) body: z.output<typeof DeactivateBody>,
  ) {
    const uia = { method: request.method, path: request.url, auth: body.auth, userId: who.userId };
    // Erasure leaves the rooms itself, before the last of the account's notifications go.
    if (body.erase) await this.erasure.deactivateAndErase(uia);
    else {
      await this.account.deactivate(uia);
      await this.departure.leaveEverything(who.userId);
    }
    // We never bound an identity server, so there was nothing to unbind.
    return { id_server_unbind_result: 'no-support' };
  }
}
