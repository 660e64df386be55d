import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import { RoomSyncReader } from '@hearth/rooms';
import type { ScopedExtension } from '../sliding-request';
import { scopedRooms, type ExtensionContext, type ExtensionResult } from './extension-context';

/** `receipts` (MSC3960): `m.receipt` events of the scoped rooms that moved since the last position; private ones only to their owner. */
@Injectable()
export class ReceiptsExtension {
  constructor(private readonly roomSync: RoomSyncReader) {}

  async build(context: ExtensionContext, scope: ScopedExtension, em: EntityManager): Promise<ExtensionResult> {
    const roomIds = scopedRooms(context, scope).filter((roomId) => joinedTo(context, roomId));
    const receipts = await this.roomSync.receiptEvents(
      roomIds,
      context.userId,
      context.since?.receipts ?? 0,
      context.upTo.receipts,
      em,
    );
    const rooms: Record<string, JsonObject> = Object.fromEntries(receipts);
    return { body: { rooms }, moved: context.since !== null && receipts.size > 0 };
  }
}

export function joinedTo(context: ExtensionContext, roomId: string): boolean {
  return context.memberships.some((m) => m.roomId === roomId && m.membership === 'join');
}
