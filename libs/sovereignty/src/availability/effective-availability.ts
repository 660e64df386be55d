import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AvailabilityDefaultRepository } from './availability-default.repository';
import type { AvailabilitySchedule } from './availability-schedule';
import { AvailabilityRepository } from './availability.repository';
import { effectiveSchedule } from './effective-schedule';

/** The schedule a user is held to, read through the caller's connection (push feed, profile reads). */
@Injectable()
export class EffectiveAvailability {
  constructor(
    private readonly own: AvailabilityRepository,
    private readonly defaults: AvailabilityDefaultRepository,
  ) {}

  async scheduleOf(userId: string, em: EntityManager): Promise<AvailabilitySchedule | undefined> {
    const content = await this.own.scheduleContent(userId, em);
    return effectiveSchedule(content, await this.defaults.find(em));
  }
}
