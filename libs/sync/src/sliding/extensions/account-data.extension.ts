import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import { AccountDataStream } from '../../streams/account-data.stream';
import type { ScopedExtension } from '../sliding-request';
import { passFor, scopedRooms, type ExtensionContext, type ExtensionResult } from './extension-context';

/** `account_data` (MSC3959): global entries and those of the scoped rooms written since the last position (all at first). */
@Injectable()
export class AccountDataExtension {
  constructor(private readonly stream: AccountDataStream) {}

  async build(context: ExtensionContext, scope: ScopedExtension, em: EntityManager): Promise<ExtensionResult> {
    const pass = passFor(context, context.since);
    const scratch: JsonObject = {};
    await this.stream.contribute(pass, scratch, em);
    const global = (scratch.account_data as { events: JsonObject[] }).events;
    const rooms: Record<string, JsonObject[]> = {};
    for (const roomId of scopedRooms(context, scope)) {
      const events = pass.roomAccountData.get(roomId);
      if (events && events.length > 0) rooms[roomId] = events;
    }
    // m.push_rules comes with every first response; only entries after the token are news.
    const moved = Object.keys(rooms).length > 0 || (context.since !== null && global.length > 0);
    return { body: { global, rooms }, moved };
  }
}
