import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';
import type { PresenceState, StoredPresence } from './presence-state';

interface PresenceRow {
  user_id: string;
  state: PresenceState;
  status_msg: string | null;
  last_active_ts: string;
  currently_active: boolean;
}

const COLUMNS = 'user_id, state, status_msg, last_active_ts, currently_active';

@Injectable()
export class PresenceRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(userId: string): Promise<StoredPresence | undefined> {
    const rows = await queryRows<PresenceRow>(
      this.dataSource.manager,
      `SELECT ${COLUMNS} FROM presence WHERE user_id = $1`,
      [userId],
    );
    return rows[0] && toStored(rows[0]);
  }

  /** A change others should hear of: it takes the next position of the `presence` counter. */
  async write(presence: StoredPresence, lastSyncTs: number | null): Promise<number> {
    const rows = await queryRows<{ stream_id: string }>(
      this.dataSource.manager,
      `WITH counter AS (UPDATE stream_positions SET position = position + 1 WHERE stream = 'presence' RETURNING position)
       INSERT INTO presence (user_id, state, status_msg, last_active_ts, currently_active, last_sync_ts, stream_id)
       SELECT $1, $2, $3, $4, $5, $6, counter.position FROM counter
       ON CONFLICT (user_id) DO UPDATE SET
         state = EXCLUDED.state, status_msg = EXCLUDED.status_msg, last_active_ts = EXCLUDED.last_active_ts,
         currently_active = EXCLUDED.currently_active,
         last_sync_ts = COALESCE(EXCLUDED.last_sync_ts, presence.last_sync_ts), stream_id = EXCLUDED.stream_id
       RETURNING stream_id`,
      [
        presence.userId,
        presence.state,
        presence.statusMsg,
        presence.lastActiveTs,
        presence.currentlyActive,
        lastSyncTs,
      ],
    );
    return Number(rows[0]?.stream_id ?? 0);
  }

  /** What nobody needs to hear of at once (a sync still going on, activity within the same state): no new position. */
  async touch(userId: string, now: number, touchEveryMs: number, active: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE presence SET last_sync_ts = $2::bigint, last_active_ts = CASE WHEN $4::boolean THEN $2::bigint ELSE last_active_ts END
       WHERE user_id = $1 AND (last_sync_ts IS NULL OR last_sync_ts < $2::bigint - $3::bigint)`,
      [userId, now, touchEveryMs, active],
    );
  }

  /** Users whose presence moved in (since, upTo], among `userIds`. */
  async changedSince(
    userIds: readonly string[],
    since: number,
    upTo: number,
    em: EntityManager,
  ): Promise<StoredPresence[]> {
    const rows = await queryRows<PresenceRow>(
      em,
      `SELECT ${COLUMNS} FROM presence WHERE user_id = ANY($1::text[]) AND stream_id > $2 AND stream_id <= $3 ORDER BY stream_id`,
      [userIds, since, upTo],
    );
    return rows.map(toStored);
  }

  /** Presence of these users as it stands at `upTo` (an initial sync). */
  async current(userIds: readonly string[], upTo: number, em: EntityManager): Promise<StoredPresence[]> {
    const rows = await queryRows<PresenceRow>(
      em,
      `SELECT ${COLUMNS} FROM presence WHERE user_id = ANY($1::text[]) AND stream_id <= $2 ORDER BY stream_id`,
      [userIds, upTo],
    );
    return rows.map(toStored);
  }

  /** Our users (`localSuffix` ends their IDs) who stopped syncing (now offline) or went idle (now unavailable). */
  async goneQuiet(
    localSuffix: string,
    now: number,
    timing: { syncTimeoutMs: number; idleAfterMs: number },
  ): Promise<Array<StoredPresence & { next: PresenceState }>> {
    const rows = await queryRows<PresenceRow & { next: PresenceState }>(
      this.dataSource.manager,
      `SELECT ${COLUMNS},
         CASE WHEN last_sync_ts IS NULL OR last_sync_ts < $2::bigint - $3::bigint THEN 'offline' ELSE 'unavailable' END AS next
       FROM presence
       WHERE right(user_id, length($1)) = $1 AND state <> 'offline'
         AND (last_sync_ts IS NULL OR last_sync_ts < $2::bigint - $3::bigint OR (state = 'online' AND last_active_ts < $2::bigint - $4::bigint))`,
      [localSuffix, now, timing.syncTimeoutMs, timing.idleAfterMs],
    );
    return rows.map((row) => ({ ...toStored(row), next: row.next }));
  }
}

function toStored(row: PresenceRow): StoredPresence {
  return {
    userId: row.user_id,
    state: row.state,
    statusMsg: row.status_msg,
    lastActiveTs: Number(row.last_active_ts),
    currentlyActive: row.currently_active,
  };
}
