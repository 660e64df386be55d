import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, PresenceService, Requester } from '@hearth/accounts';
import { BodyLimit, CLIENT_DATA_BODY_BYTES } from '@hearth/http';

@Controller('_matrix/client/v3/presence/:userId/status')
@UseGuards(AccessTokenGuard)
export class PresenceController {
  constructor(private readonly presence: PresenceService) {}

  /** GET /_matrix/client/v3/presence/{userId}/status */
  @Get()
  status(@Requester() who: Requester, @Param('userId') userId: string) {
    return this.presence.status(who.userId, userId);
  }

  /** PUT /_matrix/client/v3/presence/{userId}/status */
  @Put()
  @BodyLimit(CLIENT_DATA_BODY_BYTES)
  async set(@Requester() who: Requester, @Param('userId') userId: string, @Body() body: unknown) {
    await this.presence.set(who.userId, userId, body);
    return {};
  }
}
