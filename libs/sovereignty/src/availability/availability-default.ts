import { z } from 'zod';
import { AvailabilitySchedule } from './availability-schedule';

/**
 * What users may change of the organisation's default schedule. Without `override`, a user's
 * own schedule must keep the default's working time except where a flag lets them differ.
 */
export const UsersMay = z
  .object({
    /** any valid schedule of their own: no limits at all */
    override: z.boolean().default(false),
    /** a time zone other than the default's (people travel; the hours stay local) */
    change_time_zone: z.boolean().default(true),
    /** more working days and longer hours than the default, never fewer */
    extend_hours: z.boolean().default(false),
    /** holidays of their own besides the default's (which stay) */
    add_holidays: z.boolean().default(false),
    /** `enabled: false`, i.e. never off duty */
    disable: z.boolean().default(false),
  })
  .strict();

export type UsersMay = z.output<typeof UsersMay>;

/** The organisation's default (docs/availability.md), as the admin API and the CLI set it. */
export const AvailabilityDefault = z.object({
  schedule: AvailabilitySchedule,
  users_may: UsersMay.default(UsersMay.parse({})),
});

export type AvailabilityDefault = z.output<typeof AvailabilityDefault>;

export function parseAvailabilityDefault(
  body: unknown,
): { ok: true; value: AvailabilityDefault } | { ok: false; problems: string[] } {
  const parsed = AvailabilityDefault.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) =>
      issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    ),
  };
}
