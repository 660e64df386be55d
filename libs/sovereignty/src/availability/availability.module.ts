import { Module } from '@nestjs/common';
import { AvailabilityDefaultRepository } from './availability-default.repository';
import { AvailabilityDefaultService } from './availability-default.service';
import { AvailabilityRepository } from './availability.repository';
import { EffectiveAvailability } from './effective-availability';

/**
 * Schedules on their own, needing nothing but storage, so that `hearth admin availability` can
 * run without the rest of the server.
 */
@Module({
  providers: [AvailabilityDefaultRepository, AvailabilityDefaultService, AvailabilityRepository, EffectiveAvailability],
  exports: [AvailabilityDefaultService, EffectiveAvailability],
})
export class AvailabilityModule {}
