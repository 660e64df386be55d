import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { preparedStatement, queryPrepared, queryRows } from '@hearth/storage';
import { PENDING_COLUMNS, toPending, type PendingPush, type PendingRow } from './push-outbox.repository';

/** A pusher as the client set it (spec CS API `POST /pushers/set`). */
export interface PusherSettings {
  readonly appId: string;
  readonly pushkey: string;
  readonly kind: 'http';
  readonly appDisplayName: string;
  readonly deviceDisplayName: string;
  readonly profileTag: string | null;
  readonly lang: string;
  /** As given, `url` included. */
  readonly data: Readonly<Record<string, unknown>>;
}

export interface Pusher extends PusherSettings {
  readonly id: number;
  readonly userId: string;
  readonly pushkeyTs: number;
}

/** A pusher taken by a sender, with its delivery state. */
export interface LeasedPusher extends Pusher {
  readonly failures: number;
}

/** A pushers row as PostgreSQL returns it: bigints as text, or as numbers from JSON. */
interface PusherRow {
  id: string | number;
  user_id: string;
  app_id: string;
  pushkey: string;
  kind: 'http';
  app_display_name: string;
  device_display_name: string;
  profile_tag: string | null;
  lang: string;
  data: Record<string, unknown>;
  pushkey_ts: string | number;
  failures: number;
}

const COLUMNS =
  'id, user_id, app_id, pushkey, kind, app_display_name, device_display_name, profile_tag, lang, data, pushkey_ts, failures';

/** Run by the push feed after every commit of an event that notifies someone. */
const PUSHERS_OF_USERS = preparedStatement(
  'pushers_of_users',
  `SELECT ${COLUMNS} FROM pushers WHERE user_id = ANY($1::text[]) ORDER BY id`,
);

/** Users' pushers, and each one's delivery state: backoff and a lease, one sender at a time across processes. */
@Injectable()
export class PusherRepository {
  async list(userId: string, em: EntityManager): Promise<Pusher[]> {
    const rows = await queryRows<PusherRow>(em, `SELECT ${COLUMNS} FROM pushers WHERE user_id = $1 ORDER BY id`, [
      userId,
    ]);
    return rows.map(toPusher);
  }

  async countFor(userId: string, em: EntityManager): Promise<number> {
    const [row] = await queryRows<{ count: string }>(em, 'SELECT count(*) AS count FROM pushers WHERE user_id = $1', [
      userId,
    ]);
    return Number(row?.count ?? 0);
  }

  /**
   * Creates or updates the user's pusher for this app and pushkey, as set from `deviceId`; its
   * backoff starts afresh (the client may have fixed its URL).
   */
  async upsert(
    userId: string,
    deviceId: string,
    settings: PusherSettings,
    now: number,
    em: EntityManager,
  ): Promise<void> {
    await em.query(
      `INSERT INTO pushers (user_id, app_id, pushkey, kind, app_display_name, device_display_name, profile_tag, lang, data, pushkey_ts, device_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (user_id, app_id, pushkey) DO UPDATE SET
         device_id = EXCLUDED.device_id, kind = EXCLUDED.kind, app_display_name = EXCLUDED.app_display_name,
         device_display_name = EXCLUDED.device_display_name, profile_tag = EXCLUDED.profile_tag,
         lang = EXCLUDED.lang, data = EXCLUDED.data, pushkey_ts = EXCLUDED.pushkey_ts,
         failures = 0, retry_at = 0, last_error = NULL`,
      [
        userId,
        settings.appId,
        settings.pushkey,
        settings.kind,
        settings.appDisplayName,
        settings.deviceDisplayName,
        settings.profileTag,
        settings.lang,
        JSON.stringify(settings.data),
        now,
        deviceId,
      ],
    );
  }

  /** Deletes the user's pushers set from devices other than these (the rest were logged out or deleted). */
  async deleteForGoneDevices(userId: string, remaining: readonly string[], em: EntityManager): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      em,
      'DELETE FROM pushers WHERE user_id = $1 AND device_id IS NOT NULL AND device_id <> ALL($2::text[]) RETURNING id',
      [userId, remaining],
    );
    return rows.length;
  }

  async delete(userId: string, appId: string, pushkey: string, em: EntityManager): Promise<void> {
    await em.query('DELETE FROM pushers WHERE user_id = $1 AND app_id = $2 AND pushkey = $3', [userId, appId, pushkey]);
  }

  /** Spec `append: false`: the app and pushkey now belong to this user alone. */
  async deleteOthers(userId: string, appId: string, pushkey: string, em: EntityManager): Promise<void> {
    await em.query('DELETE FROM pushers WHERE app_id = $2 AND pushkey = $3 AND user_id <> $1', [
      userId,
      appId,
      pushkey,
    ]);
  }

  async deleteById(id: number, em: EntityManager): Promise<void> {
    await em.query('DELETE FROM pushers WHERE id = $1', [id]);
  }

  /** The pushers of these users, by user. */
  async ofUsers(userIds: readonly string[], em: EntityManager): Promise<Map<string, Pusher[]>> {
    const result = new Map<string, Pusher[]>();
    if (userIds.length === 0) return result;
    const rows = await queryPrepared<PusherRow>(em, PUSHERS_OF_USERS, [userIds]);
    for (const pusher of rows.map(toPusher)) result.set(pusher.userId, [...(result.get(pusher.userId) ?? []), pusher]);
    return result;
  }

  /**
   * Takes the pusher for `owner` unless another sender holds it or its backoff runs, and reads its
   * first `limit` pending pushes, in one statement.
   */
  async leaseWithPending(
    id: number,
    owner: string,
    now: number,
    until: number,
    limit: number,
    em: EntityManager,
  ): Promise<{ pusher: LeasedPusher; pending: PendingPush[] } | undefined> {
    const [row] = await queryRows<{ pusher: PusherRow; pending: PendingRow[] }>(
      em,
      `WITH leased AS (
         UPDATE pushers SET leased_until = $4, lease_owner = $2
          WHERE id = $1 AND retry_at <= $3 AND (leased_until IS NULL OR leased_until < $3 OR lease_owner = $2)
          RETURNING ${COLUMNS})
       SELECT to_jsonb(leased) AS pusher,
              COALESCE((SELECT jsonb_agg(to_jsonb(o) ORDER BY o.id)
                          FROM (SELECT ${PENDING_COLUMNS} FROM push_outbox WHERE pusher_id = $1 ORDER BY id LIMIT $5) o),
                       '[]'::jsonb) AS pending
         FROM leased`,
      [id, owner, now, until, limit],
    );
    if (!row) return undefined;
    return {
      pusher: { ...toPusher(row.pusher), failures: Number(row.pusher.failures) },
      pending: row.pending.map(toPending),
    };
  }

  async release(id: number, owner: string, em: EntityManager): Promise<void> {
    await em.query('UPDATE pushers SET leased_until = NULL, lease_owner = NULL WHERE id = $1 AND lease_owner = $2', [
      id,
      owner,
    ]);
  }

  /** The gateway took a push: its row goes, the pusher is healthy, and the sender's lease is extended. */
  async delivered(pushId: number, id: number, owner: string, leaseUntil: number, em: EntityManager): Promise<void> {
    await em.query(
      `WITH sent AS (DELETE FROM push_outbox WHERE id = $1)
       UPDATE pushers SET failures = 0, retry_at = 0, last_error = NULL, leased_until = $4
        WHERE id = $2 AND lease_owner = $3`,
      [pushId, id, owner, leaseUntil],
    );
  }

  async failed(id: number, error: string, retryAt: number, em: EntityManager): Promise<void> {
    await em.query('UPDATE pushers SET failures = failures + 1, retry_at = $3, last_error = $2 WHERE id = $1', [
      id,
      error.slice(0, 500),
      retryAt,
    ]);
  }

  /** When the pusher may be tried again (its backoff, or another sender's lease); undefined once it is gone. */
  async busyUntil(id: number, em: EntityManager): Promise<number | undefined> {
    const [row] = await queryRows<{ until: string }>(
      em,
      'SELECT GREATEST(retry_at, COALESCE(leased_until, 0)) AS until FROM pushers WHERE id = $1',
      [id],
    );
    return row && Number(row.until);
  }

  /** When each of these pushers may be tried again. */
  async retryTimes(ids: readonly number[], em: EntityManager): Promise<Map<number, number>> {
    if (ids.length === 0) return new Map();
    const rows = await queryRows<{ id: string; retry_at: string }>(
      em,
      'SELECT id, retry_at FROM pushers WHERE id = ANY($1::bigint[])',
      [ids],
    );
    return new Map(rows.map((row) => [Number(row.id), Number(row.retry_at)]));
  }
}

function toPusher(row: PusherRow): Pusher {
  return {
    id: Number(row.id),
    userId: row.user_id,
    appId: row.app_id,
    pushkey: row.pushkey,
    kind: row.kind,
    appDisplayName: row.app_display_name,
    deviceDisplayName: row.device_display_name,
    profileTag: row.profile_tag,
    lang: row.lang,
    data: row.data,
    pushkeyTs: Number(row.pushkey_ts),
  };
}
