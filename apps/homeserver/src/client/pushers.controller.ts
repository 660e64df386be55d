import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { PushersService } from '@hearth/delivery';
import { MatrixError } from '@hearth/http';
import { NotificationsService } from '@hearth/rooms';

/** Spec CS API "Push notifications": the user's pushers and what notified them. */
@Controller('_matrix/client/v3')
@UseGuards(AccessTokenGuard)
export class PushersController {
  constructor(
    private readonly pushers: PushersService,
    private readonly notifications: NotificationsService,
  ) {}

  /** GET /_matrix/client/v3/pushers */
  @Get('pushers')
  async list(@Requester() who: Requester) {
    return { pushers: await this.pushers.list(who.userId) };
  }

  /** POST /_matrix/client/v3/pushers/set */
  @Post('pushers/set')
  @HttpCode(200)
  async set(@Requester() who: Requester, @Body() body: unknown) {
    await this.pushers.set(who.userId, who.deviceId, body);
    return {};
  }

  /** GET /_matrix/client/v3/notifications */
  @Get('notifications')
  async notificationList(
    @Requester() who: Requester,
    @Query('from') from: string | undefined,
    @Query('limit') limit: string | undefined,
    @Query('only') only: string | undefined,
  ) {
    return this.notifications.list(who.userId, {
      from,
      limit: parseLimit(limit),
      onlyHighlight: only === 'highlight',
    });
  }
}

function parseLimit(limit: string | undefined): number | undefined {
  if (limit === undefined || limit === '') return undefined;
  if (!/^\d{1,9}$/.test(limit)) throw MatrixError.invalidParam('limit must be a non-negative integer');
  return Number(limit);
}
