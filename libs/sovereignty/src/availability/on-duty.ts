import type { AvailabilitySchedule } from './availability-schedule';

const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

interface LocalTime {
  readonly date: string;
  readonly weekday: number;
  readonly time: string;
}

/** The wall clock in the schedule's zone at `now`: Intl applies the zone's rules, summer time included. */
export function localTimeIn(timeZone: string, now: number): LocalTime {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(now));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${part('year')}-${part('month')}-${part('day')}`,
    weekday: WEEKDAYS[part('weekday')] ?? 0,
    time: `${part('hour')}:${part('minute')}`,
  };
}

/** On duty: a working day, not a holiday, within the hours (start included, end excluded). */
export function isOnDuty(schedule: AvailabilitySchedule, now: number): boolean {
  if (!schedule.enabled) return true;
  const local = localTimeIn(schedule.time_zone, now);
  if (!schedule.working_days.includes(local.weekday)) return false;
  if (schedule.holidays.some((holiday) => holiday.start <= local.date && local.date <= holiday.end)) return false;
  return schedule.hours.start <= local.time && local.time < schedule.hours.end;
}
