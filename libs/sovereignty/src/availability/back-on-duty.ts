import type { AvailabilitySchedule } from './availability-schedule';
import { isOnDuty, localTimeIn } from './on-duty';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Holidays may run long; past this the schedule has no working time worth naming. */
const DAYS_AHEAD = 400;

/** When an account that is off duty at `now` is next on duty (the start of its next working hours), if within a year or so. */
export function backOnDutyAt(schedule: AvailabilitySchedule, now: number): number | undefined {
  if (isOnDuty(schedule, now)) return now;
  const today = localTimeIn(schedule.time_zone, now).date;
  for (let day = 0; day <= DAYS_AHEAD; day++) {
    const date = addDays(today, day);
    const start = instantOfLocal(schedule.time_zone, date, schedule.hours.start);
    if (start > now && isOnDuty(schedule, start)) return start;
  }
  return undefined;
}

/** The instant the wall clock in `timeZone` reads `date time` (the later one if summer time skips it). */
export function instantOfLocal(timeZone: string, date: string, time: string): number {
  const wall = Date.parse(`${date}T${time}:00Z`);
  let instant = wall - offsetAt(timeZone, wall);
  instant = wall - offsetAt(timeZone, instant);
  return instant;
}

/** How far the zone's wall clock is ahead of UTC at `instant`, in milliseconds. */
function offsetAt(timeZone: string, instant: number): number {
  const local = localTimeIn(timeZone, instant);
  const wall = Date.parse(`${local.date}T${local.time}:00Z`);
  return wall - Math.floor(instant / 60_000) * 60_000;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** "Mon 09:00", the wall clock in the schedule's zone. */
export function localWeekdayAndTime(timeZone: string, instant: number): string {
  const local = localTimeIn(timeZone, instant);
  const weekday = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][local.weekday] ?? '';
  return `${weekday} ${local.time}`;
}
