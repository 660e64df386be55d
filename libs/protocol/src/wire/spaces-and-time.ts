import { z } from 'zod';
import { isValidRoomId } from '../identifiers';

const text = z.string().max(4096);

/**
 * Spec "Stripped state" of an `m.space.child` with its `origin_server_ts`, as the hierarchy carries
 * it. Whether the child is live (a non-empty `via`) is the reader's call, as for our own children.
 */
const SpaceChildStateWire = z.looseObject({
  type: z.literal('m.space.child'),
  state_key: z.string().refine(isValidRoomId),
  content: z.record(z.string(), z.unknown()),
  sender: z.string(),
  origin_server_ts: z.number().int(),
});

/** Spec "RoomSummary", taken leniently: a missing field gets the spec's default, a mistyped optional one is left out. */
export const RoomSummaryWire = z.object({
  room_id: z.string().refine(isValidRoomId, 'expected a room ID'),
  num_joined_members: z.number().int().nonnegative().catch(0),
  world_readable: z.boolean().catch(false),
  guest_can_join: z.boolean().catch(false),
  join_rule: text.catch('invite'),
  name: text.optional().catch(undefined),
  topic: text.optional().catch(undefined),
  canonical_alias: text.optional().catch(undefined),
  avatar_url: text.optional().catch(undefined),
  room_type: text.optional().catch(undefined),
  allowed_room_ids: z.array(z.string()).max(100).optional().catch(undefined),
  encryption: text.optional().catch(undefined),
  room_version: z.string().max(32).optional().catch(undefined),
  children_state: z
    .array(z.unknown())
    .catch([])
    .default([])
    .transform((children) => children.flatMap((child) => parsedOrNothing(SpaceChildStateWire, child))),
});

/** Spec SS API `GET /hierarchy/{roomId}`: a malformed child or inaccessible ID costs only itself. */
export const SpaceHierarchyAnswer = z.looseObject({
  room: RoomSummaryWire,
  children: z
    .array(z.unknown())
    .catch([])
    .transform((children) => children.flatMap((child) => parsedOrNothing(RoomSummaryWire, child))),
  inaccessible_children: z
    .array(z.unknown())
    .catch([])
    .transform((ids) => ids.filter((id): id is string => typeof id === 'string')),
});

/** Spec SS API `GET /timestamp_to_event/{roomId}`. */
export const TimestampToEventAnswer = z.looseObject({
  event_id: z.string(),
  origin_server_ts: z.number().int(),
});

function parsedOrNothing<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema>[] {
  const parsed = schema.safeParse(value);
  return parsed.success ? [withoutUndefined(parsed.data as object) as z.output<Schema>] : [];
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
