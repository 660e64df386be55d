import { Injectable } from '@nestjs/common';
import { RoomSyncReader } from '@hearth/rooms';
import type { ScopedExtension } from '../sliding-request';
import { scopedRooms, type ExtensionContext, type ExtensionResult } from './extension-context';
import { joinedTo } from './receipts.extension';

/** `typing` (MSC3961): who types in the scoped rooms whose typing list moved (rooms with typists, at first and in rooms sent whole). */
@Injectable()
export class TypingExtension {
  constructor(private readonly rooms: RoomSyncReader) {}

  build(context: ExtensionContext, scope: ScopedExtension): ExtensionResult {
    const moved = context.since === null ? null : this.rooms.typingChangedSince(context.since.typing);
    const rooms: Record<string, unknown> = {};
    for (const roomId of scopedRooms(context, scope)) {
      if (!joinedTo(context, roomId)) continue;
      const users = this.rooms.typingIn(roomId);
      const news = moved === null || context.initialRooms.has(roomId) ? users.length > 0 : moved.has(roomId);
      if (news) rooms[roomId] = { type: 'm.typing', content: { user_ids: users } };
    }
    return { body: { rooms }, moved: context.since !== null && Object.keys(rooms).length > 0 };
  }
}
