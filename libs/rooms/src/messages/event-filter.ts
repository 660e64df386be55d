import { z } from 'zod';
import { MatrixError, parseJsonParam } from '@hearth/http';

/** Spec "Filtering": the RoomEventFilter fields that narrow /messages. */
const RoomEventFilterSchema = z.object({
  types: z.array(z.string().max(255)).max(100).optional(),
  not_types: z.array(z.string().max(255)).max(100).optional(),
  senders: z.array(z.string().max(255)).max(100).optional(),
  not_senders: z.array(z.string().max(255)).max(100).optional(),
  contains_url: z.boolean().optional(),
  limit: z.number().int().min(1).optional(),
  lazy_load_members: z.boolean().optional(),
  include_redundant_members: z.boolean().optional(),
  unread_thread_notifications: z.boolean().optional(),
});

export type RoomEventFilter = z.output<typeof RoomEventFilterSchema>;

export function parseRoomEventFilter(json: string | undefined): RoomEventFilter {
  if (json === undefined) return {};
  const result = RoomEventFilterSchema.safeParse(parseJsonParam(json, 'filter'));
  if (!result.success) throw MatrixError.invalidParam('filter is not a valid RoomEventFilter');
  return result.data;
}

/** SQL conditions for a filter, with parameters numbered from `firstParameter`. `*` is a wildcard in types. */
export function filterToSql(filter: RoomEventFilter, firstParameter: number): { sql: string; parameters: unknown[] } {
  const clauses: string[] = [];
  const parameters: unknown[] = [];
  const next = (value: unknown) => {
    parameters.push(value);
    return `$${firstParameter + parameters.length - 1}`;
  };
  const likePatterns = (types: readonly string[]) =>
    types.map((t) => t.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%'));
  if (filter.types) clauses.push(`type LIKE ANY(${next(likePatterns(filter.types))}::text[])`);
  if (filter.not_types?.length) clauses.push(`NOT (type LIKE ANY(${next(likePatterns(filter.not_types))}::text[]))`);
  if (filter.senders) clauses.push(`sender = ANY(${next(filter.senders)}::text[])`);
  if (filter.not_senders?.length) clauses.push(`sender <> ALL(${next(filter.not_senders)}::text[])`);
  if (filter.contains_url !== undefined) clauses.push(`${filter.contains_url ? '' : 'NOT '}(pdu->'content' ? 'url')`);
  return { sql: clauses.map((c) => ` AND ${c}`).join(''), parameters };
}
