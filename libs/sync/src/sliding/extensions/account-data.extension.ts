import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import { AccountDataStream } from '../../streams/account-data.stream';
import type { ScopedExtension } from '../sliding-request';
import { passFor, scopedRooms, type ExtensionContext, type ExtensionResult } from './extension-context';

/**
 * `account_data` (MSC3959): global entries and those of the scoped rooms written since the last
 * position (all at first); a scoped room the response sends whole gets all of its own.
 */
@Injectable()
export class AccountDataExtension {
  constructor(private readonly stream: AccountDataStream) {}

  async build(context: ExtensionContext, scope: ScopedExtension, em: EntityManager): Promise<ExtensionResult> {
    const pass = passFor(context, context.since);
    const scratch: JsonObject = {};
    await this.stream.contribute(pass, scratch, em);
    const global = (scratch.account_data as { events: JsonObject[] }).events;
    const scoped = scopedRooms(context, scope);
    const whole = await this.wholeRoomsData(
      context,
      scoped.filter((roomId) => context.initialRooms.has(roomId)),
      em,
    );
    const rooms: Record<string, JsonObject[]> = {};
    for (const roomId of scoped) {
      const events = whole.get(roomId) ?? pass.roomAccountData.get(roomId);
      if (events && events.length > 0) rooms[roomId] = events;
    }
    // m.push_rules comes with every first response; only entries after the token are news.
    const moved = Object.keys(rooms).length > 0 || (context.since !== null && global.length > 0);
    return { body: { global, rooms }, moved };
  }

  /** All account data of rooms new to the connection (one read of the user's entries; none on a first request, which reads all anyway). */
  private async wholeRoomsData(
    context: ExtensionContext,
    roomIds: readonly string[],
    em: EntityManager,
  ): Promise<ReadonlyMap<string, JsonObject[]>> {
    if (context.since === null || roomIds.length === 0) return new Map();
    const pass = passFor(context, null);
    await this.stream.contribute(pass, {}, em);
    return new Map(
      roomIds.flatMap((roomId) => {
        const events = pass.roomAccountData.get(roomId);
        return events ? [[roomId, events] as const] : [];
      }),
    );
  }
}
