import type { Columns } from './named-columns';

/**
 * A row of `events`. `stream_offset` places it: n > 0 is the n-th of this write's timeline
 * positions (after every position taken so far), n < 0 the n-th backfill position (before every
 * one taken so far), null none (an outlier).
 */
export interface EventRow {
  readonly event_id: string;
  readonly room_id: string;
  readonly stream_offset: number | null;
  readonly depth: number;
  readonly type: string;
  readonly state_key: string | null;
  readonly sender: string;
  readonly origin_server_ts: number;
  readonly pdu: string;
  readonly state_group_before: number | null;
  readonly state_group_after: number | null;
}

export interface PrevEdgeRow {
  readonly event_id: string;
  readonly prev_event_id: string;
}

export interface AuthEdgeRow {
  readonly event_id: string;
  readonly auth_event_id: string;
}

/** State groups for an event we hold without (an outlier that a later event needs the state of). */
export interface StateFillRow {
  readonly event_id: string;
  readonly state_group_before: number;
  readonly state_group_after: number;
}

export interface TxnRow {
  readonly user_id: string;
  readonly device_id: string;
  readonly txn_id: string;
  readonly event_id: string;
  readonly body_hash: string;
}

export interface ExtremityRow {
  readonly room_id: string;
  readonly event_id: string;
}

export interface CurrentStateRow {
  readonly room_id: string;
  readonly type: string;
  readonly state_key: string;
  readonly event_id: string;
  readonly membership: string | null;
}

export interface RelationRow {
  readonly event_id: string;
  readonly room_id: string;
  readonly relates_to_id: string;
  readonly rel_type: string;
  readonly type: string;
  readonly stream_offset: number;
}

export interface RedactionRow {
  readonly redacts: string;
  readonly event_id: string;
}

export interface NotificationRow {
  readonly user_id: string;
  readonly room_id: string;
  readonly event_id: string;
  readonly stream_offset: number;
  readonly thread_id: string;
  readonly highlight: boolean;
}

/** A timeline event of the write, placed: for current state's positions and its room's activity (room_activity). */
export interface ActivityRow {
  readonly event_id: string;
  readonly room_id: string;
  readonly stream_offset: number;
  /** Whether its type moves the room up a room list (bump-types.ts). */
  readonly bumps: boolean;
}

export interface ResolvedStateRow {
  readonly room_id: string;
  readonly resolved_state_group: number | null;
}

/**
 * Everything one pipeline write changes, worked out before anything is written: the statement
 * only stores it. `extremities` lists every leaf of each room it names (other leaves of those
 * rooms go); `currentState` rows are upserted, and for the rooms in `replacedStateRooms` they
 * are the whole state (other rows of those rooms go).
 */
export interface WritePlan {
  readonly now: number;
  readonly timelineCount: number;
  readonly backfillCount: number;
  readonly events: EventRow[];
  readonly prevEdges: PrevEdgeRow[];
  readonly authEdges: AuthEdgeRow[];
  readonly stateFills: StateFillRow[];
  readonly txns: TxnRow[];
  readonly extremities: ExtremityRow[];
  readonly currentState: CurrentStateRow[];
  readonly replacedStateRooms: string[];
  readonly relations: RelationRow[];
  readonly redactions: RedactionRow[];
  readonly notifications: NotificationRow[];
  readonly activity: ActivityRow[];
  readonly resolvedState: ResolvedStateRow[];
}

export function emptyPlan(now = Date.now()): WritePlan {
  return {
    now,
    timelineCount: 0,
    backfillCount: 0,
    events: [],
    prevEdges: [],
    authEdges: [],
    stateFills: [],
    txns: [],
    extremities: [],
    currentState: [],
    replacedStateRooms: [],
    relations: [],
    redactions: [],
    notifications: [],
    activity: [],
    resolvedState: [],
  };
}

export const EVENT_COLUMNS: Columns<EventRow> = {
  event_id: 'text',
  room_id: 'text',
  stream_offset: 'bigint',
  depth: 'bigint',
  type: 'text',
  state_key: 'text',
  sender: 'text',
  origin_server_ts: 'bigint',
  pdu: 'jsonb',
  state_group_before: 'bigint',
  state_group_after: 'bigint',
};
export const PREV_EDGE_COLUMNS: Columns<PrevEdgeRow> = { event_id: 'text', prev_event_id: 'text' };
export const AUTH_EDGE_COLUMNS: Columns<AuthEdgeRow> = { event_id: 'text', auth_event_id: 'text' };
export const STATE_FILL_COLUMNS: Columns<StateFillRow> = {
  event_id: 'text',
  state_group_before: 'bigint',
  state_group_after: 'bigint',
};
export const TXN_COLUMNS: Columns<TxnRow> = {
  user_id: 'text',
  device_id: 'text',
  txn_id: 'text',
  event_id: 'text',
  body_hash: 'text',
};
export const EXTREMITY_COLUMNS: Columns<ExtremityRow> = { room_id: 'text', event_id: 'text' };
export const CURRENT_STATE_COLUMNS: Columns<CurrentStateRow> = {
  room_id: 'text',
  type: 'text',
  state_key: 'text',
  event_id: 'text',
  membership: 'text',
};
export const RELATION_COLUMNS: Columns<RelationRow> = {
  event_id: 'text',
  room_id: 'text',
  relates_to_id: 'text',
  rel_type: 'text',
  type: 'text',
  stream_offset: 'bigint',
};
export const REDACTION_COLUMNS: Columns<RedactionRow> = { redacts: 'text', event_id: 'text' };
export const NOTIFICATION_COLUMNS: Columns<NotificationRow> = {
  user_id: 'text',
  room_id: 'text',
  event_id: 'text',
  stream_offset: 'bigint',
  thread_id: 'text',
  highlight: 'boolean',
};
export const ACTIVITY_COLUMNS: Columns<ActivityRow> = {
  event_id: 'text',
  room_id: 'text',
  stream_offset: 'bigint',
  bumps: 'boolean',
};
export const RESOLVED_STATE_COLUMNS: Columns<ResolvedStateRow> = { room_id: 'text', resolved_state_group: 'bigint' };
