import type { AvailabilityDefault } from './availability-default';
import type { AvailabilitySchedule } from './availability-schedule';

/** Why a user's schedule goes beyond what the organisation allows; empty when it does not. */
export function problemsOutsideLimits(own: AvailabilitySchedule, organisation: AvailabilityDefault): string[] {
  const { schedule: base, users_may: may } = organisation;
  if (may.override) return [];
  const problems: string[] = [];
  if (!own.enabled && !may.disable) problems.push('the schedule may not be turned off');
  if (own.time_zone !== base.time_zone && !may.change_time_zone) problems.push(`time_zone must stay ${base.time_zone}`);
  problems.push(...workingTimeProblems(own, base, may.extend_hours));
  problems.push(...holidayProblems(own, base, may.add_holidays));
  return problems;
}

function workingTimeProblems(own: AvailabilitySchedule, base: AvailabilitySchedule, mayExtend: boolean): string[] {
  const problems: string[] = [];
  const missingDays = base.working_days.filter((day) => !own.working_days.includes(day));
  const extraDays = own.working_days.filter((day) => !base.working_days.includes(day));
  if (missingDays.length > 0) problems.push(`working_days must include ${missingDays.join(', ')}`);
  if (extraDays.length > 0 && !mayExtend) problems.push(`working_days may not add ${extraDays.join(', ')}`);
  const hours = `${base.hours.start}-${base.hours.end}`;
  if (mayExtend) {
    if (own.hours.start > base.hours.start || own.hours.end < base.hours.end)
      problems.push(`hours must cover ${hours}`);
  } else if (own.hours.start !== base.hours.start || own.hours.end !== base.hours.end) {
    problems.push(`hours must stay ${hours}`);
  }
  return problems;
}

function holidayProblems(own: AvailabilitySchedule, base: AvailabilitySchedule, mayAdd: boolean): string[] {
  const problems: string[] = [];
  for (const holiday of base.holidays)
    if (!own.holidays.some((mine) => mine.start <= holiday.start && holiday.end <= mine.end))
      problems.push(`holidays must keep ${holiday.start}..${holiday.end}`);
  if (!mayAdd)
    for (const mine of own.holidays)
      if (!base.holidays.some((holiday) => holiday.start === mine.start && holiday.end === mine.end))
        problems.push(`holidays may not add ${mine.start}..${mine.end}`);
  return problems;
}
