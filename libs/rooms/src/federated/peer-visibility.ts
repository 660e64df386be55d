import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  getRoomVersion,
  redactEvent,
  serverAclAllows,
  splitStateKeyTuple,
  stateKeyTuple,
  type JsonObject,
  type RoomEvent,
} from '@hearth/protocol';
import { EventRepository, type StoredEvent } from '../storage/event.repository';
import { StateRepository } from '../storage/state.repository';
import { ErasedUsersRepository } from '../storage/erased-users.repository';
import { RoomRepository } from '../storage/room.repository';
import { isVisible } from '../events/history-visibility';

const VISIBILITY = stateKeyTuple('m.room.history_visibility', '');
const SERVER_ACL = stateKeyTuple('m.room.server_acl', '');

/**
 * What another server may see of a room (spec SS API: servers see events as their users would):
 * it must have a member joined now, and each event must be visible to one of its users at that
 * event by the history visibility then. Outliers carry no state of their own and go with the room.
 * Erased users' events go out pruned (signatures and hashes kept, so the peer stores them as
 * redacted), as Synapse's filter_events_for_server does.
 */
@Injectable()
export class PeerVisibility {
  constructor(
    private readonly state: StateRepository,
    private readonly events: EventRepository,
    private readonly erasedUsers: ErasedUsersRepository,
    private readonly rooms: RoomRepository,
  ) {}

  /** In the room now, and not shut out by its server ACL. */
  async isInRoom(serverName: string, roomId: string, em: EntityManager): Promise<boolean> {
    return (
      (await this.state.joinedServers(roomId, em)).includes(serverName) &&
      (await this.aclAllows(serverName, roomId, em))
    );
  }

  /** Spec "Server ACLs": the room's m.room.server_acl, if it has one, must allow the server. */
  async aclAllows(serverName: string, roomId: string, em: EntityManager): Promise<boolean> {
    const acl = (await this.state.currentState(roomId, em, [SERVER_ACL])).get(SERVER_ACL);
    return acl === undefined || serverAclAllows(acl.content, serverName);
  }

  async filter(serverName: string, stored: readonly StoredEvent[], em: EntityManager): Promise<StoredEvent[]> {
    const byGroup = new Map<number, Promise<boolean>>();
    const visible: StoredEvent[] = [];
    for (const item of stored) {
      const group = item.stateGroupBefore;
      if (group === null) {
        visible.push(item);
        continue;
      }
      if (!byGroup.has(group)) byGroup.set(group, this.visibleAt(serverName, group, em));
      if (await byGroup.get(group)) visible.push(item);
    }
    return this.pruneErased(visible, em);
  }

  private async pruneErased(stored: StoredEvent[], em: EntityManager): Promise<StoredEvent[]> {
    const erased = await this.erasedUsers.erasedAmong(
      stored.map((item) => item.event.sender),
      em,
    );
    if (erased.size === 0) return stored;
    const pruned: StoredEvent[] = [];
    for (const item of stored) {
      if (!erased.has(item.event.sender)) {
        pruned.push(item);
        continue;
      }
      const room = await this.rooms.find(item.event.room_id, em);
      const version = room && getRoomVersion(room.roomVersion);
      const event = version ? redactEvent(item.event as unknown as JsonObject, version) : item.event;
      pruned.push({ ...item, event: event as unknown as RoomEvent, erased: true });
    }
    return pruned;
  }

  private async visibleAt(serverName: string, group: number, em: EntityManager): Promise<boolean> {
    const ids = await this.state.loadGroup(group, em);
    const suffix = `:${serverName}`;
    const relevant = [...ids].filter(
      ([tuple]) =>
        tuple === VISIBILITY ||
        (tuple.startsWith('m.room.member\u0000') && splitStateKeyTuple(tuple).stateKey.endsWith(suffix)),
    );
    const loaded = await this.events.findMany(
      relevant.map(([, id]) => id),
      em,
    );
    let visibility = 'shared';
    const memberships: string[] = [];
    for (const [tuple, id] of relevant) {
      const content = loaded.get(id)?.event.content;
      if (tuple === VISIBILITY && typeof content?.history_visibility === 'string')
        visibility = content.history_visibility;
      else if (typeof content?.membership === 'string') memberships.push(content.membership);
    }
    // The server is in the room now (checked by the caller), so `shared` history is its to see.
    return (
      memberships.some((membership) => isVisible(visibility, membership, true)) ||
      isVisible(visibility, undefined, true)
    );
  }
}
