import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccountDataService } from '@hearth/accounts';
import type { JsonObject } from '@hearth/protocol';
import { RoomSyncReader } from '@hearth/rooms';
import { filterEvents } from '../filters/sync-filter';
import { movedSince, type StreamContribution, type SyncPass, type SyncStream } from './sync-stream';

/**
 * `account_data`: global account data moved in the window, with `m.push_rules` when the rules
 * changed (or on an initial sync). Room account data and read markers (`m.fully_read`) go to
 * the rooms stream through the pass, since they appear under each room.
 */
@Injectable()
export class AccountDataStream implements SyncStream {
  constructor(
    private readonly accountData: AccountDataService,
    private readonly rooms: RoomSyncReader,
  ) {}

  async contribute(pass: SyncPass, response: JsonObject, em: EntityManager): Promise<StreamContribution> {
    const { userId, since, upTo } = pass;
    // A stream that did not move past the token has nothing for anyone: no read.
    const changed = movedSince(since?.accountData, upTo.accountData)
      ? await this.accountData.changedSince(userId, since?.accountData ?? 0, upTo.accountData, em)
      : [];
    const readMarkers = movedSince(since?.receipts, upTo.receipts)
      ? await this.rooms.readMarkersSince(userId, since?.receipts ?? 0, upTo.receipts, em)
      : new Map<string, string>();
    for (const entry of changed.filter((e) => e.roomId !== ''))
      addTo(pass.roomAccountData, entry.roomId, { type: entry.type, content: entry.content as JsonObject });
    for (const [roomId, eventId] of readMarkers)
      addTo(pass.roomAccountData, roomId, { type: 'm.fully_read', content: { event_id: eventId } });

    const global: JsonObject[] = changed
      .filter((e) => e.roomId === '')
      .map((e) => ({ type: e.type, content: e.content as JsonObject }));
    if (since === null || upTo.pushRules > since.pushRules) {
      const ruleset = await this.rooms.pushRuleset(userId, em);
      global.push({ type: 'm.push_rules', content: { global: ruleset as unknown as JsonObject } });
    }
    const events = filterEvents(pass.filter.account_data, global);
    response.account_data = { events };
    return { moved: events.length > 0 };
  }
}

function addTo(map: Map<string, JsonObject[]>, key: string, value: JsonObject): void {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}
