import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, AccountDataService, Requester } from '@hearth/accounts';
import { BodyLimit, CLIENT_DATA_BODY_BYTES } from '@hearth/http';
import { AVAILABILITY_TYPE, AvailabilityDefaultService } from '@hearth/sovereignty';

@Controller('_matrix/client/v3/user/:userId')
@UseGuards(AccessTokenGuard)
export class AccountDataController {
  constructor(
    private readonly accountData: AccountDataService,
    private readonly availability: AvailabilityDefaultService,
  ) {}

  /** GET /_matrix/client/v3/user/{userId}/account_data/{type} */
  @Get('account_data/:type')
  get(@Requester() who: Requester, @Param('userId') userId: string, @Param('type') type: string) {
    return this.accountData.get(who.userId, userId, undefined, type);
  }

  /** PUT /_matrix/client/v3/user/{userId}/account_data/{type} */
  @Put('account_data/:type')
  @BodyLimit(CLIENT_DATA_BODY_BYTES)
  async put(
    @Requester() who: Requester,
    @Param('userId') userId: string,
    @Param('type') type: string,
    @Body() content: unknown,
  ) {
    // The work schedule is the server's to act on (push), so it is checked as it is written.
    if (type === AVAILABILITY_TYPE && who.userId === userId) await this.availability.assertAcceptable(content);
    await this.accountData.put(who.userId, userId, undefined, type, content);
    return {};
  }

  /** GET /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type} */
  @Get('rooms/:roomId/account_data/:type')
  getForRoom(
    @Requester() who: Requester,
    @Param('userId') userId: string,
    @Param('roomId') roomId: string,
    @Param('type') type: string,
  ) {
    return this.accountData.get(who.userId, userId, roomId, type);
  }

  /** PUT /_matrix/client/v3/user/{userId}/rooms/{roomId}/account_data/{type} */
  @Put('rooms/:roomId/account_data/:type')
  @BodyLimit(CLIENT_DATA_BODY_BYTES)
  async putForRoom(
    @Requester() who: Requester,
    @Param('userId') userId: string,
    @Param('roomId') roomId: string,
    @Param('type') type: string,
    @Body() content: unknown,
  ) {
    await this.accountData.put(who.userId, userId, roomId, type, content);
    return {};
  }
}
