import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { KeyLookupReads, queryRows } from '@hearth/storage';
import type { EntityManager } from 'typeorm';

/** Where every stream stands now, the user's push-rule version, and what their memberships are made of. */
export interface SyncHead {
  readonly positions: Map<string, number>;
  readonly pushRulesVersion: number;
  /** `membershipsFingerprint` of the user's membership rows now: equal fingerprints, equal rows. */
  readonly membershipsFingerprint: string;
  /** What the `SyncHeadExtras` asked for, by name (text, or null). */
  readonly extras: Map<string, string | null>;
}

/**
 * More for the head's one statement from other modules (the device's key counts from e2ee), so
 * that a woken sync needs no statement of its own for them, by name: each a scalar SQL expression
 * over `q.user_id` and `q.device_id`, answering text.
 */
export type SyncHeadExtras = ReadonlyMap<string, string>;

/** Whose head: the user, and the device syncing (for the extras). */
export interface SyncHeadAsk {
  readonly userId: string;
  readonly deviceId?: string;
}

/** One membership event in a window: whose, and to what. */
export interface MembershipChange {
  readonly roomId: string;
  readonly userId: string;
  readonly membership: string;
}

/** What moved in some rooms in a window of the events stream. */
export interface RoomActivity {
  /** Rooms with at least one event in the window. */
  readonly withEvents: Set<string>;
  /** Their membership events, in stream order. */
  readonly membershipChanges: MembershipChange[];
}

/**
 * Activity after a position, read without an upper bound: each room's first event (`userId` null)
 * and its membership events, in stream order, complete up to `bound`.
 */
export interface ActivityAfter {
  readonly bound: number;
  readonly events: readonly ActivityEvent[];
}

export interface ActivityEvent {
  readonly roomId: string;
  /** The member of a membership event; null for the room's first event after the position. */
  readonly userId: string | null;
  readonly membership: string;
  readonly position: number;
}

/** What of `after` lies at or below `upTo` (which `after.bound` must reach). */
export function activityUpTo(after: ActivityAfter, upTo: number): RoomActivity {
  const activity: RoomActivity = { withEvents: new Set(), membershipChanges: [] };
  for (const event of after.events) {
    if (event.position > upTo) break;
    activity.withEvents.add(event.roomId);
    if (event.userId !== null)
      activity.membershipChanges.push({ roomId: event.roomId, userId: event.userId, membership: event.membership });
  }
  return activity;
}

export interface MembershipRow {
  readonly roomId: string;
  readonly roomVersion: string;
  readonly membership: string;
  /** Stream position of the membership event. */
  readonly position: number;
  readonly eventId: string;
}

/** The reads /sync makes of rooms' tables, each one query for all of a user's rooms where it can be. */
/** Spec "Room summary": at most five heroes. */
export const MAX_HEROES = 5;

/** What a room's summary is made of (see `memberSummaries`). */
export interface MemberSummary {
  readonly joined: number;
  readonly invited: number;
  readonly named: boolean;
  readonly others: readonly string[];
  readonly anyone: readonly string[];
}

@Injectable()
export class SyncRepository {
  constructor(private readonly keyLookups: KeyLookupReads) {}

  /**
   * The sync's first read, one statement for any number of syncs: the stream positions, and per
   * ask the user's push-rule version, a fingerprint of their membership events (current_state's
   * event per room, which moves with every membership change, state resets included) and the
   * extras, all from one snapshot. A head per ask, in order.
   */
  async syncHeads(asks: readonly SyncHeadAsk[], extras: SyncHeadExtras, em: EntityManager): Promise<SyncHead[]> {
    const named = [...extras];
    const rows = await this.keyLookups.rows<{ kind: string; i: string; name: string | null; value: string | null }>(
      em,
      `WITH q AS MATERIALIZED (SELECT * FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q (user_id, device_id, i))
       SELECT 'stream' AS kind, 0::bigint AS i, stream AS name, position::text AS value FROM stream_positions
       UNION ALL SELECT 'push_rules', q.i, NULL, v.version::text FROM q JOIN push_rule_versions v ON v.user_id = q.user_id
       UNION ALL SELECT 'memberships', q.i, NULL, (
         SELECT md5(coalesce(string_agg(c.room_id || ' ' || c.event_id, ' ' ORDER BY c.room_id COLLATE "C"), ''))
           FROM current_state c WHERE c.type = 'm.room.member' AND c.state_key = q.user_id) FROM q
       ${named.map(([, expression], n) => `UNION ALL SELECT 'extra', q.i, '${n}', ${expression} FROM q`).join('\n')}`,
      [asks.map((ask) => ask.userId), asks.map((ask) => ask.deviceId ?? '')],
    );
    const positions = new Map<string, number>();
    const heads = asks.map(() => ({
      pushRulesVersion: 0,
      membershipsFingerprint: '',
      extras: new Map<string, string | null>(),
    }));
    for (const row of rows) {
      const head = heads[Number(row.i) - 1];
      if (row.kind === 'stream' && row.name !== null) positions.set(row.name, Number(row.value));
      else if (!head) continue;
      else if (row.kind === 'push_rules') head.pushRulesVersion = Number(row.value);
      else if (row.kind === 'memberships') head.membershipsFingerprint = row.value ?? '';
      else if (row.kind === 'extra') head.extras.set(named[Number(row.name)]?.[0] ?? '', row.value);
    }
    return heads.map((head) => ({ positions, ...head }));
  }

  /** The user's current membership in every room they have one in. */
  async memberships(userId: string, em: EntityManager): Promise<MembershipRow[]> {
    const rows = await queryRows<{
      room_id: string;
      room_version: string;
      membership: string;
      stream_ordering: string;
      event_id: string;
    }>(
      em,
      // current_state keeps each entry's position: no events lookup per room.
      `SELECT c.room_id, r.room_version, c.membership, c.stream_ordering, c.event_id
         FROM current_state c JOIN rooms r ON r.room_id = c.room_id
        WHERE c.type = 'm.room.member' AND c.state_key = $1`,
      [userId],
    );
    return rows.map((row) => ({
      roomId: row.room_id,
      roomVersion: row.room_version,
      membership: row.membership,
      position: Number(row.stream_ordering),
      eventId: row.event_id,
    }));
  }

  /**
   * Of `roomIds`, those with events after `since` and their membership events there, in one
   * statement: what both the rooms and the device lists of an incremental sync need. Open-ended,
   * with the events position of its own snapshot as `bound` (every event at or below it is in the
   * answer), so that it can be read before the sync's own positions are known: the caller takes
   * what lies at or below those (`activityUpTo`) when `bound` reaches them.
   */
  async activityAfter(roomIds: readonly string[], since: number, em: EntityManager): Promise<ActivityAfter> {
    // No rooms, no activity up to any position.
    if (roomIds.length === 0) return { bound: Number.MAX_SAFE_INTEGER, events: [] };
    const rows = await this.keyLookups.rows<{
      room_id: string | null;
      state_key: string | null;
      membership: string | null;
      stream_ordering: string;
    }>(
      em,
      `SELECT NULL::text AS room_id, NULL::text AS state_key, NULL::text AS membership, position AS stream_ordering
         FROM stream_positions WHERE stream = 'events'
       UNION ALL
       SELECT r.room_id, m.state_key, m.membership, m.stream_ordering FROM unnest($1::text[]) AS r (room_id)
        CROSS JOIN LATERAL (
          (SELECT NULL::text AS state_key, NULL::text AS membership, e.stream_ordering FROM events e
            WHERE e.room_id = r.room_id AND e.stream_ordering > $2
            ORDER BY e.stream_ordering LIMIT 1)
          UNION ALL
          SELECT e.state_key, coalesce(e.pdu->'content'->>'membership', 'leave'), e.stream_ordering FROM events e
           WHERE e.room_id = r.room_id AND e.type = 'm.room.member' AND e.stream_ordering > $2
        ) m
        -- Read ahead of a wake-up that was not an event (typing, a receipt), it looks at no room.
        WHERE (SELECT position FROM stream_positions WHERE stream = 'events') > $2`,
      [roomIds, since],
    );
    let bound = since;
    const events: ActivityEvent[] = [];
    for (const row of rows) {
      if (row.room_id === null) bound = Number(row.stream_ordering);
      else
        events.push({
          roomId: row.room_id,
          userId: row.state_key,
          membership: row.membership ?? 'leave',
          position: Number(row.stream_ordering),
        });
    }
    events.sort((a, b) => a.position - b.position || (a.userId === null ? -1 : b.userId === null ? 1 : 0));
    return { bound, events };
  }

  /** Rooms among `roomIds` where the user's membership was something other than join at some point in (since, upTo]. */
  async roomsWithNonJoinMembership(
    userId: string,
    roomIds: readonly string[],
    since: number,
    upTo: number,
    em: EntityManager,
  ): Promise<Set<string>> {
    if (roomIds.length === 0) return new Set();
    const rows = await queryRows<{ room_id: string }>(
      em,
      `SELECT r.room_id FROM unnest($1::text[]) AS r (room_id)
        WHERE EXISTS (SELECT 1 FROM events e
                       WHERE e.room_id = r.room_id AND e.stream_ordering > $3 AND e.stream_ordering <= $4
                         AND e.type = 'm.room.member' AND e.state_key = $2
                         AND e.pdu->'content'->>'membership' IS DISTINCT FROM 'join')`,
      [roomIds, userId, since, upTo],
    );
    return new Set(rows.map((row) => row.room_id));
  }

  /**
   * Per room, what its summary needs, counted in the database: a room of 10,000 members sends
   * two counts and five names, not 10,000 rows. Hero candidates are the other joined members,
   * then the invited, by user ID; `anyone` (other members whatever their membership) is for a
   * room where nobody else is joined or invited. Joined and invited candidates are each read in
   * user ID order from their partial index (current_state_joined, current_state_invited), so a
   * big room reads five of each, not all its members.
   */
  async memberSummaries(
    roomIds: readonly string[],
    userId: string,
    em: EntityManager,
  ): Promise<Map<string, MemberSummary>> {
    if (roomIds.length === 0) return new Map();
    const rows = await queryRows<{
      room_id: string;
      joined: number;
      invited: number;
      named: boolean;
      others: string[];
      anyone: string[];
    }>(
      em,
      `SELECT w.room_id,
              (SELECT count(*)::int FROM current_state c
                WHERE c.room_id = w.room_id AND c.type = 'm.room.member' AND c.membership = 'join') AS joined,
              (SELECT count(*)::int FROM current_state c
                WHERE c.room_id = w.room_id AND c.type = 'm.room.member' AND c.membership = 'invite') AS invited,
              EXISTS (SELECT 1 FROM current_state c
                WHERE c.room_id = w.room_id AND c.type IN ('m.room.name', 'm.room.canonical_alias')) AS named,
              ARRAY(SELECT o.state_key FROM (
                 (SELECT c.state_key, 0 AS rank FROM current_state c
                   WHERE c.room_id = w.room_id AND c.type = 'm.room.member' AND c.membership = 'join'
                     AND c.state_key <> $2 ORDER BY c.state_key LIMIT $3)
                 UNION ALL
                 (SELECT c.state_key, 1 FROM current_state c
                   WHERE c.room_id = w.room_id AND c.type = 'm.room.member' AND c.membership = 'invite'
                     AND c.state_key <> $2 ORDER BY c.state_key LIMIT $3)
               ) o ORDER BY o.rank, o.state_key LIMIT $3) AS others,
              ARRAY(SELECT c.state_key FROM current_state c
                WHERE c.room_id = w.room_id AND c.type = 'm.room.member' AND c.state_key <> $2
                ORDER BY c.state_key LIMIT $3) AS anyone
         FROM unnest($1::text[]) AS w (room_id)`,
      [roomIds, userId, MAX_HEROES],
    );
    return new Map(
      rows.map((row) => [
        row.room_id,
        { joined: row.joined, invited: row.invited, named: row.named, others: row.others, anyone: row.anyone },
      ]),
    );
  }

  /** Everyone joined to a room the user is joined to (the user included). */
  async usersSharingRooms(userId: string, em: EntityManager): Promise<Set<string>> {
    const rows = await queryRows<{ user_id: string }>(
      em,
      `SELECT DISTINCT other.state_key AS user_id
         FROM current_state mine JOIN current_state other ON other.room_id = mine.room_id
        WHERE mine.type = 'm.room.member' AND mine.state_key = $1 AND mine.membership = 'join'
          AND other.type = 'm.room.member' AND other.membership = 'join'`,
      [userId],
    );
    return new Set(rows.map((row) => row.user_id));
  }

  /** Membership changes in (since, upTo] in the given rooms: whose, and to what. */
  async membershipChanges(
    roomIds: readonly string[],
    since: number,
    upTo: number,
    em: EntityManager,
  ): Promise<Array<{ roomId: string; userId: string; membership: string }>> {
    if (roomIds.length === 0) return [];
    const rows = await queryRows<{ room_id: string; state_key: string; membership: string | null }>(
      em,
      `SELECT room_id, state_key, pdu->'content'->>'membership' AS membership FROM events
        WHERE room_id = ANY($1::text[]) AND type = 'm.room.member' AND stream_ordering > $2 AND stream_ordering <= $3
        ORDER BY stream_ordering`,
      [roomIds, since, upTo],
    );
    return rows.map((row) => ({ roomId: row.room_id, userId: row.state_key, membership: row.membership ?? 'leave' }));
  }

  /** Users joined to each of the rooms now. */
  async joinedMembers(roomIds: readonly string[], em: EntityManager): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>(roomIds.map((roomId) => [roomId, []]));
    if (roomIds.length === 0) return result;
    const rows = await queryRows<{ room_id: string; state_key: string }>(
      em,
      "SELECT room_id, state_key FROM current_state WHERE room_id = ANY($1::text[]) AND type = 'm.room.member' AND membership = 'join'",
      [roomIds],
    );
    for (const row of rows) result.get(row.room_id)?.push(row.state_key);
    return result;
  }
}

/** Membership rows' fingerprint as `syncHeads` takes it: their rooms and events, by room ID. */
export function membershipsFingerprint(rows: readonly MembershipRow[]): string {
  const sorted = [...rows].sort((a, b) => (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0));
  const text = sorted.map((row) => `${row.roomId} ${row.eventId}`).join(' ');
  // md5 as PostgreSQL's: a fingerprint to tell sets apart, not a defence against anyone.
  return createHash('md5').update(text).digest('hex');
}
