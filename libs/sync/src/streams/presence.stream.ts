import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PresenceService } from '@hearth/accounts';
import type { JsonObject } from '@hearth/protocol';
import { filterEvents } from '../filters/sync-filter';
import type { StreamContribution, SyncPass, SyncStream } from './sync-stream';

/**
 * `presence`: m.presence of the user and of everyone who shares a joined room with them, moved
 * in the window (all of it on an initial sync). With presence off it stays empty: the key is kept
 * for clients that expect it.
 */
@Injectable()
export class PresenceStream implements SyncStream {
  constructor(private readonly presence: PresenceService) {}

  async contribute(pass: SyncPass, response: JsonObject, em: EntityManager): Promise<StreamContribution> {
    const found = await this.presence.forSync(pass.userId, pass.since?.presence ?? null, pass.upTo.presence, em);
    const events = filterEvents(pass.filter.presence, found);
    response.presence = { events };
    return { moved: events.length > 0 };
  }
}
