import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AccessTokenGuard, DevicesService, Requester, TokensService } from '@hearth/accounts';
import { ZodBodyPipe } from '@hearth/http';
import { TransactionRunner } from '@hearth/storage';

const RefreshBody = z.object({ refresh_token: z.string().min(1).max(512) });

@Controller('_matrix/client/v3')
export class SessionController {
  constructor(
    private readonly tokens: TokensService,
    private readonly devices: DevicesService,
    private readonly tx: TransactionRunner,
  ) {}

  /** GET /_matrix/client/v3/account/whoami */
  @Get('account/whoami')
  @UseGuards(AccessTokenGuard)
  whoami(@Requester() who: Requester) {
    return { user_id: who.userId, device_id: who.deviceId, is_guest: false };
  }

  /** POST /_matrix/client/v3/logout — this device's session ends, with its device. */
  @Post('logout')
  @HttpCode(200)
  @UseGuards(AccessTokenGuard)
  async logout(@Requester() who: Requester) {
    await this.tx.run((em) => this.devices.delete(who.userId, [who.deviceId], em));
    return {};
  }

  /** POST /_matrix/client/v3/logout/all */
  @Post('logout/all')
  @HttpCode(200)
  @UseGuards(AccessTokenGuard)
  async logoutAll(@Requester() who: Requester) {
    await this.devices.deleteAll(who.userId);
    return {};
  }

  /** POST /_matrix/client/v3/refresh */
  @Post('refresh')
  @HttpCode(200)
  refresh(@Body(new ZodBodyPipe(RefreshBody)) body: z.output<typeof RefreshBody>) {
    return this.tokens.refresh(body.refresh_token);
  }
}
