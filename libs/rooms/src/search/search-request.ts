import { z } from 'zod';
import { MatrixError } from '@hearth/http';

/** Longer terms are refused: no message search needs them, and each word costs the index a lookup. */
export const MAX_SEARCH_TERM_CHARS = 1000;
/** Words past this are dropped; every word must match, so more only narrows an already narrow search. */
export const MAX_SEARCH_WORDS = 16;
const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;
const MAX_CONTEXT = 20;

const userIds = z.array(z.string().max(255)).max(500);
const SearchBody = z.object({
  search_categories: z.object({
    room_events: z
      .object({
        search_term: z.string(),
        keys: z.array(z.enum(['content.body', 'content.name', 'content.topic'])).optional(),
        filter: z
          .object({
            rooms: userIds.optional(),
            not_rooms: userIds.optional(),
            senders: userIds.optional(),
            not_senders: userIds.optional(),
            limit: z.number().int().min(1).optional(),
          })
          .optional(),
        order_by: z.enum(['rank', 'recent']).optional(),
        event_context: z
          .object({
            before_limit: z.number().int().min(0).optional(),
            after_limit: z.number().int().min(0).optional(),
            include_profile: z.boolean().optional(),
          })
          .optional(),
        include_state: z.boolean().optional(),
        groupings: z.object({ group_by: z.array(z.object({ key: z.enum(['room_id', 'sender']) })).max(2) }).optional(),
      })
      .optional(),
  }),
});

export interface SearchQuery {
  /** Lower-cased words, letters and digits only: each must begin a word of the body. */
  readonly words: readonly string[];
  readonly rooms?: readonly string[];
  readonly notRooms: readonly string[];
  readonly senders?: readonly string[];
  readonly notSenders: readonly string[];
  readonly limit: number;
  readonly orderBy: 'rank' | 'recent';
  readonly context?: { readonly before: number; readonly after: number; readonly includeProfile: boolean };
  readonly includeState: boolean;
  readonly groupBy: ReadonlyArray<'room_id' | 'sender'>;
}

/** The room_events category of a POST /search body, or undefined when the body asks for no category. */
export function parseSearchRequest(body: unknown): SearchQuery | undefined {
  const parsed = SearchBody.safeParse(body);
  if (!parsed.success) throw MatrixError.badJson(`Invalid search request: ${describe(parsed.error)}`);
  const criteria = parsed.data.search_categories.room_events;
  if (!criteria) return undefined;
  if (criteria.search_term.length > MAX_SEARCH_TERM_CHARS)
    throw MatrixError.invalidParam(`search_term must be at most ${MAX_SEARCH_TERM_CHARS} characters`);
  const filter = criteria.filter ?? {};
  const context = criteria.event_context;
  return {
    words: searchWords(criteria.search_term),
    ...(filter.rooms ? { rooms: filter.rooms } : {}),
    notRooms: filter.not_rooms ?? [],
    ...(filter.senders ? { senders: filter.senders } : {}),
    notSenders: filter.not_senders ?? [],
    limit: Math.min(filter.limit ?? DEFAULT_LIMIT, MAX_LIMIT),
    orderBy: criteria.order_by ?? 'rank',
    ...(context
      ? {
          context: {
            before: Math.min(context.before_limit ?? 5, MAX_CONTEXT),
            after: Math.min(context.after_limit ?? 5, MAX_CONTEXT),
            includeProfile: context.include_profile ?? false,
          },
        }
      : {}),
    includeState: criteria.include_state ?? false,
    groupBy: (criteria.groupings?.group_by ?? []).map((group) => group.key),
  };
}

/**
 * The term's words, lower-cased, with everything but letters and digits dropped: full-text
 * operators (`&`, `|`, `!`, `:*`, quotes) never reach to_tsquery, so no term can make it fail.
 */
export function searchWords(term: string): string[] {
  return term
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0)
    .slice(0, MAX_SEARCH_WORDS);
}

/** `word:* & word:*`: every word, each as a prefix. Safe because words hold only letters and digits. */
export function toPrefixTsQuery(words: readonly string[]): string {
  return words.map((word) => `${word}:*`).join(' & ');
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'malformed';
}
