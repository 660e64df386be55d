import { Body, Controller, Delete, Get, Put, UseGuards } from '@nestjs/common';
import { AdminGuard } from '@hearth/accounts';
import { MatrixError } from '@hearth/http';
import { AvailabilityDefaultService } from '@hearth/sovereignty';

/** The organisation's default work schedule and what users may change of it (docs/availability.md). */
@Controller('_hearth/admin/v1/availability/default')
@UseGuards(AdminGuard)
export class AdminAvailabilityController {
  constructor(private readonly availability: AvailabilityDefaultService) {}

  /** GET /_hearth/admin/v1/availability/default */
  @Get()
  async show() {
    const current = await this.availability.get();
    if (!current) throw MatrixError.notFound('No default availability is set');
    return current;
  }

  /** PUT /_hearth/admin/v1/availability/default */
  @Put()
  set(@Body() body: unknown) {
    return this.availability.set(body);
  }

  /** DELETE /_hearth/admin/v1/availability/default */
  @Delete()
  async clear() {
    if (!(await this.availability.clear())) throw MatrixError.notFound('No default availability is set');
    return {};
  }
}
