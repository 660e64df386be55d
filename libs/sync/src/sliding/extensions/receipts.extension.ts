import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import { RoomSyncReader } from '@hearth/rooms';
import type { ScopedExtension } from '../sliding-request';
import { scopedRooms, type ExtensionContext, type ExtensionResult } from './extension-context';

/**
 * `receipts` (MSC3960): `m.receipt` events of the scoped rooms that moved since the last
 * position; private ones only to their owner. A room the response sends whole gets, as in
 * Synapse, the user's own receipts and those on its timeline events, not every member's.
 */
@Injectable()
export class ReceiptsExtension {
  constructor(private readonly roomSync: RoomSyncReader) {}

  async build(context: ExtensionContext, scope: ScopedExtension, em: EntityManager): Promise<ExtensionResult> {
    const roomIds = scopedRooms(context, scope).filter((roomId) => joinedTo(context, roomId));
    const whole = roomIds.filter((roomId) => context.since === null || context.initialRooms.has(roomId));
    const live = roomIds.filter((roomId) => !whole.includes(roomId));
    const moved = await this.roomSync.receiptEvents(
      live,
      context.userId,
      context.since?.receipts ?? 0,
      context.upTo.receipts,
      em,
    );
    const current = await this.roomSync.receiptEvents(whole, context.userId, 0, context.upTo.receipts, em);
    const rooms: Record<string, JsonObject> = Object.fromEntries(moved);
    for (const [roomId, event] of current) {
      const kept = keepRelevant(event, context.userId, new Set(context.initialRooms.get(roomId) ?? []));
      if (kept) rooms[roomId] = kept;
    }
    return { body: { rooms }, moved: context.since !== null && moved.size > 0 };
  }
}

export function joinedTo(context: ExtensionContext, roomId: string): boolean {
  return context.memberships.some((m) => m.roomId === roomId && m.membership === 'join');
}

/** Of a room's `m.receipt` content, the user's own receipts and those on the given events. */
function keepRelevant(event: JsonObject, userId: string, eventIds: ReadonlySet<string>): JsonObject | undefined {
  const content: Record<string, Record<string, Record<string, JsonObject>>> = {};
  const all = event.content as Record<string, Record<string, Record<string, JsonObject>>>;
  for (const [eventId, byType] of Object.entries(all))
    for (const [receiptType, byUser] of Object.entries(byType))
      for (const [receiptUser, receipt] of Object.entries(byUser)) {
        if (!eventIds.has(eventId) && receiptUser !== userId) continue;
        ((content[eventId] ??= {})[receiptType] ??= {})[receiptUser] = receipt;
      }
  return Object.keys(content).length > 0 ? { type: 'm.receipt', content } : undefined;
}
