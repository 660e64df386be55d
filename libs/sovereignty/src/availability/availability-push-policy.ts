import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PushPolicy } from '@hearth/delivery';
import type { CommittedNotification } from '@hearth/rooms';
import { parseAvailability } from './availability-schedule';
import { AvailabilityRepository } from './availability.repository';
import { isOnDuty } from './on-duty';

/**
 * Off duty, nothing goes to the phones: the feed asks this before it enqueues a push. The
 * notification itself stays (unread counts, /sync, GET /notifications); it is not pushed later
 * either, as a phone buzzing at 09:00 with the weekend's messages is what the user opted out of.
 * An account without a schedule, or with one that no longer parses, is always on duty.
 */
@Injectable()
export class AvailabilityPushPolicy implements PushPolicy {
  private readonly logger = new Logger(AvailabilityPushPolicy.name);

  constructor(private readonly availability: AvailabilityRepository) {}

  async allows(notification: CommittedNotification, now: number, em: EntityManager): Promise<boolean> {
    const content = await this.availability.scheduleContent(notification.userId, em);
    if (content === undefined) return true;
    const parsed = parseAvailability(content);
    if (!parsed.ok) {
      this.logger.warn(`the availability of ${notification.userId} does not parse; pushing as on duty`);
      return true;
    }
    return isOnDuty(parsed.schedule, now);
  }
}
