import { inviteRoomStateOf, STRIPPED_STATE_TYPES, strip } from '../state/stripped-state';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { splitStateKeyTuple, stateKeyTuple, type JsonObject } from '@hearth/protocol';
import { ReceiptsService } from '../push/receipts.service';
import { EventRepository, type StoredEvent } from '../storage/event.repository';
import { StateRepository } from '../storage/state.repository';
import { SyncRepository, type MembershipRow, type ReceiptRow } from '../storage/sync.repository';
import { RoomTimelines, type RoomTimeline, type RoomWindow, type TimelineRequest } from './room-timelines';

const MAX_HEROES = 5;

/**
 * Rooms' part of /sync: timelines with the state before them, invites as stripped state,
 * summaries, unread counts and receipts. Every event passes history visibility.
 */
@Injectable()
export class RoomSyncService {
  constructor(
    private readonly sync: SyncRepository,
    private readonly events: EventRepository,
    private readonly state: StateRepository,
    private readonly receipts: ReceiptsService,
    private readonly roomTimelines: RoomTimelines,
  ) {}

  memberships(userId: string, em: EntityManager): Promise<MembershipRow[]> {
    return this.sync.memberships(userId, em);
  }

  /** For device-list tracking: everyone joined to a room the user is joined to (the user included). */
  usersSharingRooms(userId: string, em: EntityManager): Promise<Set<string>> {
    return this.sync.usersSharingRooms(userId, em);
  }

  membershipChanges(
    roomIds: readonly string[],
    since: number,
    upTo: number,
    em: EntityManager,
  ): Promise<Array<{ roomId: string; userId: string; membership: string }>> {
    return this.sync.membershipChanges(roomIds, since, upTo, em);
  }

  joinedMembers(roomIds: readonly string[], em: EntityManager): Promise<Map<string, string[]>> {
    return this.sync.joinedMembers(roomIds, em);
  }

  /**
   * Of rooms the user is joined to now by a membership event after `since`, those they came into
   * in (since, upTo]: not joined at `since` (by the room's state then), or left (kicked, banned)
   * and joined again in between. A join followed only by display-name or avatar changes is
   * one; the changes alone are not. Synapse draws the same line ("newly joined").
   */
  async joinedWithin(
    userId: string,
    roomIds: readonly string[],
    since: number,
    upTo: number,
    em: EntityManager,
  ): Promise<Set<string>> {
    const joined = await this.sync.roomsWithNonJoinMembership(userId, roomIds, since, upTo, em);
    const rest = roomIds.filter((roomId) => !joined.has(roomId));
    const groups = await this.events.stateGroupsAtPosition(rest, since, em);
    const member = stateKeyTuple('m.room.member', userId);
    const states = await this.state.loadGroups(
      [...groups.values()].filter((group): group is number => group !== null),
      em,
      [member],
    );
    const memberEventAtSince = new Map<string, string>();
    for (const roomId of rest) {
      const group = groups.get(roomId);
      const eventId = group === undefined || group === null ? undefined : states.get(group)?.get(member);
      if (eventId === undefined) joined.add(roomId);
      else memberEventAtSince.set(roomId, eventId);
    }
    const events = await this.events.findMany([...memberEventAtSince.values()], em);
    for (const [roomId, eventId] of memberEventAtSince) {
      if (events.get(eventId)?.event.content.membership !== 'join') joined.add(roomId);
    }
    return joined;
  }

  roomsWithEvents(roomIds: readonly string[], since: number, upTo: number, em: EntityManager): Promise<Set<string>> {
    return this.sync.roomsWithEvents(roomIds, since, upTo, em);
  }

  /** Timelines and the state before them, for many rooms at once (see RoomTimelines). */
  timelines(
    userId: string,
    windows: readonly RoomWindow[],
    request: TimelineRequest,
    em: EntityManager,
  ): Promise<Map<string, RoomTimeline>> {
    return this.roomTimelines.read(userId, windows, request, em);
  }

  /** Spec "Room summary", per room: member counts, and heroes when the room has no name of its own. */
  async summaries(roomIds: readonly string[], userId: string, em: EntityManager): Promise<Map<string, JsonObject>> {
    const result = new Map<string, JsonObject>();
    for (const [roomId, { members, named }] of await this.sync.membersOfRooms(roomIds, em)) {
      const joined = members.filter((m) => m.membership === 'join');
      const invited = members.filter((m) => m.membership === 'invite');
      const others = [...joined, ...invited].filter((m) => m.userId !== userId);
      const heroes = (others.length > 0 ? others : members.filter((m) => m.userId !== userId))
        .slice(0, MAX_HEROES)
        .map((m) => m.userId);
      result.set(roomId, {
        ...(named ? {} : { 'm.heroes': heroes }),
        'm.joined_member_count': joined.length,
        'm.invited_member_count': invited.length,
      });
    }
    return result;
  }

  /** Unread counts per room: the main timeline, and threads separately when the client asks for them. */
  async unread(
    roomIds: readonly string[],
    userId: string,
    perThread: boolean,
    em: EntityManager,
  ): Promise<Map<string, { main: JsonObject; threads?: JsonObject }>> {
    const result = new Map<string, { main: JsonObject; threads?: JsonObject }>();
    for (const [roomId, counts] of await this.receipts.unreadCountsOfRooms(roomIds, userId, em)) {
      if (!perThread) {
        let notifications = 0;
        let highlights = 0;
        for (const c of counts.values()) {
          notifications += c.notification_count;
          highlights += c.highlight_count;
        }
        result.set(roomId, { main: { notification_count: notifications, highlight_count: highlights } });
        continue;
      }
      const threads: JsonObject = {};
      for (const [threadId, c] of counts) if (threadId !== '') threads[threadId] = { ...c };
      result.set(roomId, { main: { ...(counts.get('') ?? { notification_count: 0, highlight_count: 0 }) }, threads });
    }
    return result;
  }

  /** `m.receipt` contents per room for receipts that moved after `since`; private receipts only to their owner. */
  async receiptEvents(
    roomIds: readonly string[],
    userId: string,
    since: number,
    upTo: number,
    em: EntityManager,
  ): Promise<Map<string, JsonObject>> {
    const byRoom = await this.sync.receiptsSince(roomIds, since, upTo, em);
    const result = new Map<string, JsonObject>();
    for (const [roomId, receipts] of byRoom) {
      const content = receiptContent(receipts.filter((r) => r.receiptType !== 'm.read.private' || r.userId === userId));
      if (Object.keys(content).length > 0) result.set(roomId, { type: 'm.receipt', content });
    }
    return result;
  }

  readMarkersSince(userId: string, since: number, upTo: number, em: EntityManager): Promise<Map<string, string>> {
    return this.sync.readMarkersSince(userId, since, upTo, em);
  }

  /** Spec "Stripped state": enough of the room for an invitee to show it, and the invite itself. */
  async strippedState(roomId: string, inviteEventId: string, em: EntityManager): Promise<JsonObject[]> {
    const invite = await this.events.find(inviteEventId, em);
    // An invite from another server brings the room's stripped state with it: we hold nothing else of the room.
    const sent = invite && inviteRoomStateOf(invite.event);
    if (invite && sent)
      return [
        ...sent.filter((item) => !(item.type === 'm.room.member' && item.state_key === invite.event.state_key)),
        strip(invite.event),
      ];
    const ids = await this.state.currentStateIds(roomId, em);
    const wanted = [...ids]
      .filter(([tuple]) => STRIPPED_STATE_TYPES.has(splitStateKeyTuple(tuple).type))
      .map(([, id]) => id);
    const loaded = await this.events.findMany([...wanted, inviteEventId], em);
    return [...loaded.values()].map(({ event }: StoredEvent) => strip(event));
  }
}

/** Spec "Receipts": `{ eventId: { receiptType: { userId: { ts, thread_id? } } } }`. */
function receiptContent(receipts: readonly ReceiptRow[]): JsonObject {
  const content: Record<string, Record<string, Record<string, JsonObject>>> = {};
  for (const r of receipts) {
    const byType = (content[r.eventId] ??= {});
    const byUser = (byType[r.receiptType] ??= {});
    byUser[r.userId] = { ts: r.ts, ...(r.threadId !== '' ? { thread_id: r.threadId } : {}) };
  }
  return content;
}
