/**
 * MSC4186 `bump_stamp`: the event types that move a room up a user's room list (Synapse's
 * SLIDING_SYNC_DEFAULT_BUMP_EVENT_TYPES). Other events (state changes, reactions, receipts'
 * neighbours) do not reorder the list.
 */
export const BUMP_TYPES: readonly string[] = [
  'm.room.create',
  'm.room.message',
  'm.room.encrypted',
  'm.sticker',
  'm.call.invite',
  'm.poll.start',
  'm.beacon_info',
];

const bumping = new Set(BUMP_TYPES);

export function bumpsRoom(type: string): boolean {
  return bumping.has(type);
}
