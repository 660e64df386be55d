import { z } from 'zod';
import { MatrixError } from '@hearth/http';
import type { JsonObject } from '@hearth/protocol';

const ids = z.array(z.string().max(255)).max(1000);

/** Spec "Filtering": EventFilter, and RoomEventFilter with its room-specific fields. */
const EventFilter = z.object({
  types: ids.optional(),
  not_types: ids.optional(),
  senders: ids.optional(),
  not_senders: ids.optional(),
  limit: z.number().int().min(0).optional(),
});

const RoomEventFilter = EventFilter.extend({
  rooms: ids.optional(),
  not_rooms: ids.optional(),
  contains_url: z.boolean().optional(),
  lazy_load_members: z.boolean().optional(),
  include_redundant_members: z.boolean().optional(),
  unread_thread_notifications: z.boolean().optional(),
});

export const FilterSchema = z.object({
  event_fields: z.array(z.string().max(255)).max(100).optional(),
  event_format: z.enum(['client', 'federation']).optional(),
  presence: EventFilter.optional(),
  account_data: EventFilter.optional(),
  room: z
    .object({
      rooms: ids.optional(),
      not_rooms: ids.optional(),
      include_leave: z.boolean().optional(),
      timeline: RoomEventFilter.optional(),
      state: RoomEventFilter.optional(),
      ephemeral: RoomEventFilter.optional(),
      account_data: RoomEventFilter.optional(),
    })
    .optional(),
});

export type SyncFilter = z.output<typeof FilterSchema>;
export type EventFilterFields = z.output<typeof EventFilter> & { rooms?: string[]; not_rooms?: string[] };

export function parseSyncFilter(value: unknown): SyncFilter {
  const result = FilterSchema.safeParse(value);
  if (!result.success) throw MatrixError.badJson(`Invalid filter: ${result.error.issues[0]?.message ?? 'malformed'}`);
  return result.data;
}

/** Spec: `*` in types and not_types matches any run of characters. */
function typeMatches(pattern: string, type: string): boolean {
  if (!pattern.includes('*')) return pattern === type;
  const expression = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return expression.test(type);
}

/** Whether an event (or account data entry, which has no sender) passes a filter. */
export function passesFilter(filter: EventFilterFields | undefined, event: { type: string; sender?: string }): boolean {
  if (!filter) return true;
  if (filter.types && !filter.types.some((p) => typeMatches(p, event.type))) return false;
  if (filter.not_types?.some((p) => typeMatches(p, event.type))) return false;
  if (event.sender !== undefined) {
    if (filter.senders && !filter.senders.includes(event.sender)) return false;
    if (filter.not_senders?.includes(event.sender)) return false;
  }
  return true;
}

/** Rooms a filter lets through; `not_rooms` wins over `rooms`. */
export function passesRoomFilter(
  filter: { rooms?: string[]; not_rooms?: string[] } | undefined,
  roomId: string,
): boolean {
  if (!filter) return true;
  if (filter.not_rooms?.includes(roomId)) return false;
  return !filter.rooms || filter.rooms.includes(roomId);
}

export function filterEvents(filter: EventFilterFields | undefined, events: readonly JsonObject[]): JsonObject[] {
  const passing = events.filter((event) =>
    passesFilter(filter, {
      type: typeof event.type === 'string' ? event.type : '',
      ...(typeof event.sender === 'string' ? { sender: event.sender } : {}),
    }),
  );
  return filter?.limit !== undefined ? passing.slice(0, filter.limit) : passing;
}
