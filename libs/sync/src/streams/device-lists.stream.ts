import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import { DeviceListsSectionBuilder } from '../sections/device-lists-section';
import type { StreamContribution, SyncPass, SyncStream } from './sync-stream';

/** `device_lists`: whose devices changed, and whom the user no longer shares a room with; nothing on an initial sync. */
@Injectable()
export class DeviceListsStream implements SyncStream {
  constructor(private readonly section: DeviceListsSectionBuilder) {}

  async contribute(pass: SyncPass, response: JsonObject, em: EntityManager): Promise<StreamContribution> {
    const { userId, since, upTo, memberships, activity } = pass;
    if (since === null) {
      response.device_lists = { changed: [], left: [] };
      return { moved: false };
    }
    if (memberships === undefined)
      throw new Error('the device-lists stream runs after the rooms stream (SYNC_STREAMS order)');
    const lists = await this.section.build({ userId, since, upTo, memberships, activity }, em);
    response.device_lists = lists;
    return { moved: lists.changed.length > 0 || lists.left.length > 0 };
  }
}
