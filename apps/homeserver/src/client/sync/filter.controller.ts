import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { FiltersService } from '@hearth/sync';

@Controller('_matrix/client/v3/user/:userId/filter')
@UseGuards(AccessTokenGuard)
export class FilterController {
  constructor(private readonly filters: FiltersService) {}

  /** POST /_matrix/client/v3/user/{userId}/filter */
  @Post()
  @HttpCode(200)
  create(@Requester() who: Requester, @Param('userId') userId: string, @Body() body: unknown) {
    return this.filters.create(who.userId, userId, body);
  }

  /** GET /_matrix/client/v3/user/{userId}/filter/{filterId} */
  @Get(':filterId')
  get(@Requester() who: Requester, @Param('userId') userId: string, @Param('filterId') filterId: string) {
    return this.filters.get(who.userId, userId, filterId);
  }
}
