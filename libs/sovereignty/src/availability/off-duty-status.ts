import { Inject, Injectable } from '@nestjs/common';
import { TransactionRunner } from '@hearth/storage';
import { backOnDutyAt, localWeekdayAndTime } from './back-on-duty';
import { CLOCK, type Clock } from './clock';
import { EffectiveAvailability } from './effective-availability';

/** The custom profile field (MSC4133 namespacing) that shows others an account is off duty. */
export const OFF_DUTY_PROFILE_FIELD = 'org.hearth.off_duty';

export interface OffDuty {
  /** When the account is next on duty (ms since the epoch), absent when the schedule names no such time. */
  readonly until?: number;
  /** The same in the user's own wall clock, e.g. "Mon 09:00". */
  readonly until_local?: string;
  readonly time_zone: string;
}

/**
 * Whether an account is off duty right now, computed on read from its effective schedule and
 * the clock: it flips exactly at the schedule's boundaries with nothing scheduled to flip it.
 */
@Injectable()
export class OffDutyStatus {
  constructor(
    private readonly availability: EffectiveAvailability,
    private readonly tx: TransactionRunner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async of(userId: string): Promise<OffDuty | undefined> {
    const schedule = await this.tx.read((em) => this.availability.scheduleOf(userId, em));
    const now = this.clock.now();
    const back = schedule && backOnDutyAt(schedule, now);
    if (!schedule || back === now) return undefined;
    const zone = schedule.time_zone;
    return back === undefined
      ? { time_zone: zone }
      : { until: back, until_local: localWeekdayAndTime(zone, back), time_zone: zone };
  }

  /** The profile fields to add: none while on duty. */
  async profileFields(userId: string): Promise<Record<string, OffDuty>> {
    const offDuty = await this.of(userId);
    return offDuty ? { [OFF_DUTY_PROFILE_FIELD]: offDuty } : {};
  }
}
