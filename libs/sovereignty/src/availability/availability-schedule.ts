import { z } from 'zod';

/** The account data type clients read and write (docs/availability.md). */
export const AVAILABILITY_TYPE = 'org.hearth.availability';

const clockTime = z.string().refine((value) => /^([01]\d|2[0-3]):[0-5]\d$/.test(value), {
  error: (issue) => `expected a time HH:MM from 00:00 to 23:59, got "${String(issue.input)}"`,
});

const calendarDate = z.string().refine(isCalendarDate, {
  error: (issue) => `expected a date YYYY-MM-DD that exists, got "${String(issue.input)}"`,
});

const timeZone = z.string().refine(isKnownTimeZone, {
  error: (issue) => `unknown time zone "${String(issue.input)}" (expected an IANA name such as Europe/Berlin)`,
});

/** ISO weekdays: 1 is Monday, 7 is Sunday. */
const weekday = z.number().int().min(1).max(7);

export const AvailabilitySchedule = z
  .object({
    enabled: z.boolean().default(true),
    time_zone: timeZone,
    working_days: z.array(weekday).min(1).max(7),
    hours: z.object({ start: clockTime, end: clockTime }),
    holidays: z.array(z.object({ start: calendarDate, end: calendarDate })).default([]),
    /** one "back at" notice per sender per off period in direct chats (docs/availability.md) */
    auto_reply: z.boolean().default(false),
  })
  .superRefine((schedule, ctx) => {
    if (schedule.hours.start >= schedule.hours.end)
      ctx.addIssue({ code: 'custom', path: ['hours'], message: 'hours.start must be before hours.end' });
    if (new Set(schedule.working_days).size !== schedule.working_days.length)
      ctx.addIssue({ code: 'custom', path: ['working_days'], message: 'working_days lists a day twice' });
    for (const [index, holiday] of schedule.holidays.entries())
      if (holiday.start > holiday.end)
        ctx.addIssue({ code: 'custom', path: ['holidays', index], message: 'a holiday ends before it starts' });
    const sorted = [...schedule.holidays].sort((a, b) => (a.start < b.start ? -1 : 1));
    for (let i = 1; i < sorted.length; i++)
      if ((sorted[i]?.start ?? '') <= (sorted[i - 1]?.end ?? ''))
        ctx.addIssue({ code: 'custom', path: ['holidays'], message: 'holidays overlap' });
  });

export type AvailabilitySchedule = z.output<typeof AvailabilitySchedule>;

/** Every problem at once, as one message, or the schedule. */
export function parseAvailability(
  content: unknown,
): { ok: true; schedule: AvailabilitySchedule } | { ok: false; problems: string[] } {
  const parsed = AvailabilitySchedule.safeParse(content);
  if (parsed.success) return { ok: true, schedule: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) =>
      issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    ),
  };
}

function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

function isKnownTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return value.length > 0;
  } catch {
    return false;
  }
}
