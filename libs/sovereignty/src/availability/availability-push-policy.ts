import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PushPolicy } from '@hearth/delivery';
import type { CommittedNotification } from '@hearth/rooms';
import { CLOCK, type Clock } from './clock';
import { EffectiveAvailability } from './effective-availability';
import { isOnDuty } from './on-duty';

/**
 * Off duty, nothing goes to the phones: the feed asks this before it enqueues a push. The
 * notification itself stays (unread counts, /sync, GET /notifications); it is not pushed later
 * either, as a phone buzzing at 09:00 with the weekend's messages is what the user opted out of.
 * The schedule is the effective one (the user's within the organisation's limits, else the
 * default); without either the account is always on duty.
 */
@Injectable()
export class AvailabilityPushPolicy implements PushPolicy {
  constructor(
    private readonly availability: EffectiveAvailability,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The feed's own `now` is the system's; the availability clock decides, so tests can move it. */
  async allows(notification: CommittedNotification, _feedNow: number, em: EntityManager): Promise<boolean> {
    const schedule = await this.availability.scheduleOf(notification.userId, em);
    return schedule === undefined || isOnDuty(schedule, this.clock.now());
  }
}
