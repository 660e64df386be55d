import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { AdminGuard } from '@hearth/accounts';
import { DestinationsAdminService } from '@hearth/delivery';
import { MatrixError } from '@hearth/http';

/** Synapse's federation destinations admin API, for the parts Hearth implements. */
@Controller('_synapse/admin/v1/federation/destinations')
@UseGuards(AdminGuard)
export class AdminDestinationsController {
  constructor(private readonly destinations: DestinationsAdminService) {}

  /** GET /_synapse/admin/v1/federation/destinations */
  @Get()
  list(@Query('from') from?: string, @Query('limit') limit?: string) {
    const start = from === undefined ? 0 : Number(from);
    const size = limit === undefined ? 100 : Number(limit);
    if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(size) || size < 1)
      throw MatrixError.invalidParam('from and limit must be non-negative integers');
    return this.destinations.list(start, Math.min(size, 1000));
  }

  /** GET /_synapse/admin/v1/federation/destinations/{destination} */
  @Get(':destination')
  get(@Param('destination') destination: string) {
    return this.destinations.get(destination);
  }

  /** POST /_synapse/admin/v1/federation/destinations/{destination}/reset_connection */
  @Post(':destination/reset_connection')
  @HttpCode(200)
  async reset(@Param('destination') destination: string) {
    await this.destinations.reset(destination);
    return {};
  }
}
