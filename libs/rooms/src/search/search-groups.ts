import type { JsonObject, RoomEvent } from '@hearth/protocol';

/**
 * `groups` of a search answer (spec "Server Side Search", groupings): for each key asked for, the
 * results' event IDs by room or sender, each group ordered by where its first result stands.
 * Pagination is shared: every group carries the answer's one next_batch.
 */
export function groupResults(
  events: readonly RoomEvent[],
  keys: ReadonlyArray<'room_id' | 'sender'>,
  nextBatch: string | undefined,
): JsonObject {
  const groups: JsonObject = {};
  for (const key of new Set(keys)) {
    const byValue = new Map<string, string[]>();
    for (const event of events) {
      const value = key === 'room_id' ? event.room_id : event.sender;
      byValue.set(value, [...(byValue.get(value) ?? []), event.event_id]);
    }
    groups[key] = Object.fromEntries(
      [...byValue].map(([value, results], index) => [
        value,
        { order: index + 1, results, ...(nextBatch ? { next_batch: nextBatch } : {}) },
      ]),
    );
  }
  return groups;
}
