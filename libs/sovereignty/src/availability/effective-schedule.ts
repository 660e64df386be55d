import type { AvailabilityDefault } from './availability-default';
import { parseAvailability, type AvailabilitySchedule } from './availability-schedule';
import { problemsOutsideLimits } from './schedule-limits';

/**
 * The schedule the server acts on: the user's own when it parses and keeps within the
 * organisation's limits (which may have tightened since the user wrote it), else the
 * organisation's default; neither means always on duty.
 */
export function effectiveSchedule(
  ownContent: unknown,
  organisation: AvailabilityDefault | undefined,
): AvailabilitySchedule | undefined {
  const own = ownContent === undefined ? undefined : parseAvailability(ownContent);
  if (own?.ok && (!organisation || problemsOutsideLimits(own.schedule, organisation).length === 0)) return own.schedule;
  return organisation?.schedule;
}
