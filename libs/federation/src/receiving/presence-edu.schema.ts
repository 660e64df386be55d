import { z } from 'zod';

/**
 * Spec SS API "Presence": an m.presence EDU's content, `push` being one entry per user. Entries
 * that do not fit are dropped one by one, so one bad entry sinks only itself.
 */
export const PresenceEduEntry = z.object({
  user_id: z.string().max(255),
  presence: z.enum(['online', 'unavailable', 'offline']),
  last_active_ago: z.number().int().min(0).optional(),
  status_msg: z.string().max(1024).nullable().optional(),
  currently_active: z.boolean().optional(),
});

export const PresenceEduContent = z.object({ push: z.array(z.unknown()).max(1000) });

export type PresenceEduEntry = z.output<typeof PresenceEduEntry>;

/** The well-formed entries of an m.presence EDU's content; none when the content itself is malformed. */
export function presenceEntries(content: unknown): PresenceEduEntry[] {
  const parsed = PresenceEduContent.safeParse(content);
  if (!parsed.success) return [];
  return parsed.data.push.flatMap((entry) => {
    const one = PresenceEduEntry.safeParse(entry);
    return one.success ? [one.data] : [];
  });
}
