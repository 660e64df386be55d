import { z } from 'zod';
import { isValidRoomId } from '@hearth/protocol';
import { isLiveSpaceChild, type RoomSummary, type SpaceChildState } from '@hearth/rooms';

const text = z.string().max(4096);

/** A peer's room summary, taken leniently: what is missing gets the spec's default, what is malformed is dropped. */
const peerSummary = z.object({
  room_id: z.string().refine(isValidRoomId),
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
    .transform((children) =>
      children.filter(
        (child): child is SpaceChildState =>
          isLiveSpaceChild(child) && typeof (child as { origin_server_ts?: unknown }).origin_server_ts === 'number',
      ),
    ),
});

/** Spec SS API `GET /hierarchy/{roomId}` response. */
export const peerHierarchySchema = z.object({
  room: peerSummary,
  children: z
    .array(z.unknown())
    .catch([])
    .transform((children) => children.flatMap((child) => toSummaries(child))),
  inaccessible_children: z
    .array(z.unknown())
    .catch([])
    .transform((ids) => ids.filter((id): id is string => typeof id === 'string')),
});

export type PeerHierarchyAnswer = z.output<typeof peerHierarchySchema>;

function toSummaries(child: unknown): RoomSummary[] {
  const parsed = peerSummary.safeParse(child);
  return parsed.success ? [withoutUndefined(parsed.data)] : [];
}

export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
