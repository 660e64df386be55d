import { splitStateKeyTuple, type RoomEvent, type RoomVersion, type StateKeyTuple } from '@hearth/protocol';
import type { EventNotifications } from '../push/push-evaluator';
import type { ClientTxn } from '../storage/event.repository';
import { bumpsRoom } from './bump-types';
import { emptyPlan, type WritePlan } from './write-plan';

/** Where an event goes: the timeline (after all we hold), backfill (before all we hold), or no place (an outlier). */
export type Placement = 'timeline' | 'backfill' | 'outlier';

export interface EventExtras {
  readonly txn?: ClientTxn | undefined;
  readonly notifications?: EventNotifications | undefined;
}

/** Collects the rows of one pipeline write, event by event, as named columns. */
export class PlanBuilder {
  readonly plan: WritePlan;
  private readonly added = new Set<string>();
  private timeline = 0;
  private backfill = 0;

  constructor(now = Date.now()) {
    this.plan = emptyPlan(now);
  }

  /** One event with its edges and, on the timeline, what it carries (client transaction, relation, redaction, notifications). */
  addEvent(
    event: RoomEvent,
    version: RoomVersion,
    placement: Placement,
    groups: { before: number | null; after: number | null },
    edges: { prev: boolean; auth: boolean },
    extras: EventExtras = {},
  ): void {
    if (this.added.has(event.event_id)) return;
    this.added.add(event.event_id);
    const offset = placement === 'timeline' ? ++this.timeline : placement === 'backfill' ? -++this.backfill : null;
    const { event_id: eventId, room_id: roomId, ...rest } = event;
    // From room version 12 the create event's PDU has no room_id (the room ID is derived from it).
    const pdu = version.roomIdFromCreateEvent && event.type === 'm.room.create' ? rest : { ...rest, room_id: roomId };
    this.plan.events.push({
      event_id: eventId,
      room_id: roomId,
      stream_offset: offset,
      depth: event.depth,
      type: event.type,
      state_key: event.state_key ?? null,
      sender: event.sender,
      origin_server_ts: event.origin_server_ts,
      pdu: JSON.stringify(pdu),
      state_group_before: groups.before,
      state_group_after: groups.after,
    });
    if (edges.prev)
      for (const prev of event.prev_events) this.plan.prevEdges.push({ event_id: eventId, prev_event_id: prev });
    if (edges.auth)
      for (const auth of event.auth_events) this.plan.authEdges.push({ event_id: eventId, auth_event_id: auth });
    if (offset === null || offset < 0) return;
    this.plan.activity.push({
      event_id: eventId,
      room_id: roomId,
      stream_offset: offset,
      bumps: bumpsRoom(event.type),
    });
    const { txn, notifications } = extras;
    if (txn)
      this.plan.txns.push({
        user_id: txn.userId,
        device_id: txn.deviceId,
        txn_id: txn.txnId,
        event_id: eventId,
        body_hash: txn.bodyHash,
      });
    const relation = relationOf(event);
    if (relation)
      this.plan.relations.push({
        event_id: eventId,
        room_id: roomId,
        relates_to_id: relation.relatesTo,
        rel_type: relation.relType,
        type: event.type,
        stream_offset: offset,
      });
    const redacts = redactsOf(event);
    if (redacts !== undefined) this.plan.redactions.push({ redacts, event_id: eventId });
    notifications?.users.forEach((userId, i) =>
      this.plan.notifications.push({
        user_id: userId,
        room_id: roomId,
        event_id: eventId,
        stream_offset: offset,
        thread_id: notifications.threadId,
        highlight: notifications.highlights[i] ?? false,
      }),
    );
  }

  /** The event's own state key, upserted into the room's current state. */
  addToCurrentState(event: RoomEvent): void {
    if (event.state_key === undefined) return;
    this.plan.currentState.push({
      room_id: event.room_id,
      type: event.type,
      state_key: event.state_key,
      event_id: event.event_id,
      membership: membershipOf(event),
    });
  }

  /** The room's whole current state becomes `state` (tuple to event). */
  replaceCurrentState(roomId: string, state: ReadonlyMap<StateKeyTuple, RoomEvent>): void {
    this.plan.replacedStateRooms.push(roomId);
    for (const [tuple, event] of state) {
      const { type, stateKey } = splitStateKeyTuple(tuple);
      this.plan.currentState.push({
        room_id: roomId,
        type,
        state_key: stateKey,
        event_id: event.event_id,
        membership: membershipOf(event),
      });
    }
  }

  /** The room's forward extremities become exactly these. */
  setExtremities(roomId: string, eventIds: readonly string[]): void {
    this.plan.extremities.splice(
      0,
      this.plan.extremities.length,
      ...this.plan.extremities.filter((row) => row.room_id !== roomId),
    );
    for (const eventId of eventIds) this.plan.extremities.push({ room_id: roomId, event_id: eventId });
  }

  setResolvedStateGroup(roomId: string, group: number | null): void {
    this.plan.resolvedState.push({ room_id: roomId, resolved_state_group: group });
  }

  /** Gives an event held without state its state groups (kept if it has some). */
  fillState(eventId: string, groups: { before: number; after: number }): void {
    this.plan.stateFills.push({
      event_id: eventId,
      state_group_before: groups.before,
      state_group_after: groups.after,
    });
  }

  /** The plan, with its counts of positions to take. */
  finish(): WritePlan {
    return { ...this.plan, timelineCount: this.timeline, backfillCount: this.backfill };
  }
}

function membershipOf(event: RoomEvent): string | null {
  return event.type === 'm.room.member' && typeof event.content.membership === 'string'
    ? event.content.membership
    : null;
}

function redactsOf(event: RoomEvent): string | undefined {
  if (event.type !== 'm.room.redaction') return undefined;
  return event.redacts ?? (typeof event.content.redacts === 'string' ? event.content.redacts : undefined);
}

/** Spec "Relationships": `m.relates_to` with a rel_type and an event_id. Replies alone are not relations. */
function relationOf(event: RoomEvent): { relatesTo: string; relType: string } | undefined {
  const relatesTo = event.content['m.relates_to'];
  if (typeof relatesTo !== 'object' || relatesTo === null || Array.isArray(relatesTo)) return undefined;
  const { rel_type: relType, event_id: parent } = relatesTo;
  return typeof relType === 'string' && typeof parent === 'string' ? { relatesTo: parent, relType } : undefined;
}
