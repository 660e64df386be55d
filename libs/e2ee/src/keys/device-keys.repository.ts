import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';

export type JsonRecord = Record<string, unknown>;

export interface OneTimeKey {
  readonly algorithm: string;
  readonly keyId: string;
  readonly key: unknown;
}

/** What every /sync response tells a device about its keys. */
export interface KeyCounts {
  readonly oneTimeKeyCounts: Record<string, number>;
  readonly unusedFallbackTypes: string[];
}

/**
 * The one-time key counts and unused fallback key types of the device `q.user_id`, `q.device_id`
 * as one JSON text: an expression, so that /sync can read it inside its first statement.
 */
export const KEY_COUNTS_SQL = `(SELECT json_build_object(
    'counts', (SELECT coalesce(json_object_agg(c.algorithm, c.n), '{}') FROM (
       SELECT k.algorithm, count(*) AS n FROM one_time_keys k
        WHERE k.user_id = q.user_id AND k.device_id = q.device_id GROUP BY k.algorithm) c),
    'fallback', (SELECT coalesce(json_agg(f.algorithm ORDER BY f.algorithm), '[]') FROM fallback_keys f
       WHERE f.user_id = q.user_id AND f.device_id = q.device_id AND NOT f.used))::text)`;

/** `KEY_COUNTS_SQL`'s answer read back. */
export function parseKeyCounts(text: string | null): KeyCounts {
  const parsed = (text === null ? {} : JSON.parse(text)) as { counts?: Record<string, number>; fallback?: string[] };
  return {
    oneTimeKeyCounts: Object.fromEntries(Object.entries(parsed.counts ?? {}).map(([k, n]) => [k, Number(n)])),
    unusedFallbackTypes: parsed.fallback ?? [],
  };
}

@Injectable()
export class DeviceKeysRepository {
  async deviceKeys(userId: string, deviceId: string, em: EntityManager): Promise<JsonRecord | undefined> {
    const rows: Array<{ keys: JsonRecord }> = await em.query(
      'SELECT keys FROM device_keys WHERE user_id = $1 AND device_id = $2',
      [userId, deviceId],
    );
    return rows[0]?.keys;
  }

  async putDeviceKeys(userId: string, deviceId: string, keys: JsonRecord, em: EntityManager): Promise<void> {
    await em.query(
      'INSERT INTO device_keys (user_id, device_id, keys) VALUES ($1, $2, $3) ON CONFLICT (user_id, device_id) DO UPDATE SET keys = EXCLUDED.keys',
      [userId, deviceId, JSON.stringify(keys)],
    );
  }

  /** Device keys of the given users (all their devices, or the devices named). */
  async keysOf(
    wanted: ReadonlyArray<{ userId: string; deviceIds: readonly string[] }>,
    em: EntityManager,
  ): Promise<Array<{ userId: string; deviceId: string; keys: JsonRecord }>> {
    if (wanted.length === 0) return [];
    const rows: Array<{ user_id: string; device_id: string; keys: JsonRecord }> = await em.query(
      `SELECT k.user_id, k.device_id, k.keys FROM device_keys k
         JOIN unnest($1::text[], $2::jsonb[]) AS w (user_id, device_ids) ON w.user_id = k.user_id
        WHERE jsonb_array_length(w.device_ids) = 0 OR w.device_ids ? k.device_id`,
      [wanted.map((w) => w.userId), wanted.map((w) => JSON.stringify(w.deviceIds))],
    );
    return rows.map((row) => ({ userId: row.user_id, deviceId: row.device_id, keys: row.keys }));
  }

  /** The stored one-time keys among the given IDs, to tell a repeat upload from a conflicting one. */
  async existingOneTimeKeys(
    userId: string,
    deviceId: string,
    keys: readonly OneTimeKey[],
    em: EntityManager,
  ): Promise<Map<string, unknown>> {
    if (keys.length === 0) return new Map();
    const rows: Array<{ algorithm: string; key_id: string; key: unknown }> = await em.query(
      `SELECT algorithm, key_id, key FROM one_time_keys WHERE user_id = $1 AND device_id = $2 AND (algorithm, key_id) IN (SELECT * FROM unnest($3::text[], $4::text[]))`,
      [userId, deviceId, keys.map((k) => k.algorithm), keys.map((k) => k.keyId)],
    );
    return new Map(rows.map((row) => [`${row.algorithm}:${row.key_id}`, row.key]));
  }

  async addOneTimeKeys(
    userId: string,
    deviceId: string,
    keys: readonly OneTimeKey[],
    em: EntityManager,
  ): Promise<void> {
    if (keys.length === 0) return;
    await em.query(
      `INSERT INTO one_time_keys (user_id, device_id, algorithm, key_id, key)
       SELECT $1, $2, k.algorithm, k.key_id, k.key FROM unnest($3::text[], $4::text[], $5::jsonb[]) AS k (algorithm, key_id, key)
       ON CONFLICT DO NOTHING`,
      [
        userId,
        deviceId,
        keys.map((k) => k.algorithm),
        keys.map((k) => k.keyId),
        keys.map((k) => JSON.stringify(k.key)),
      ],
    );
  }

  /** A new fallback key replaces the device's previous one of that algorithm, used or not. */
  async putFallbackKeys(
    userId: string,
    deviceId: string,
    keys: readonly OneTimeKey[],
    em: EntityManager,
  ): Promise<void> {
    for (const k of keys) {
      await em.query(
        `INSERT INTO fallback_keys (user_id, device_id, algorithm, key_id, key, used) VALUES ($1, $2, $3, $4, $5, FALSE)
         ON CONFLICT (user_id, device_id, algorithm) DO UPDATE SET key_id = EXCLUDED.key_id, key = EXCLUDED.key,
           used = fallback_keys.used AND fallback_keys.key_id = EXCLUDED.key_id`,
        [userId, deviceId, k.algorithm, k.keyId, JSON.stringify(k.key)],
      );
    }
  }

  async oneTimeKeyCounts(userId: string, deviceId: string, em: EntityManager): Promise<Record<string, number>> {
    const rows: Array<{ algorithm: string; count: string }> = await em.query(
      'SELECT algorithm, count(*) AS count FROM one_time_keys WHERE user_id = $1 AND device_id = $2 GROUP BY algorithm',
      [userId, deviceId],
    );
    return Object.fromEntries(rows.map((row) => [row.algorithm, Number(row.count)]));
  }

  /** Both of the above in one statement, as every /sync response carries them. */
  async keyCounts(userId: string, deviceId: string, em: EntityManager): Promise<KeyCounts> {
    const rows = await queryRows<{ counts: string | null }>(
      em,
      `SELECT ${KEY_COUNTS_SQL} AS counts FROM (SELECT $1::text AS user_id, $2::text AS device_id) q`,
      [userId, deviceId],
    );
    return parseKeyCounts(rows[0]?.counts ?? null);
  }

  async unusedFallbackAlgorithms(userId: string, deviceId: string, em: EntityManager): Promise<string[]> {
    const rows: Array<{ algorithm: string }> = await em.query(
      'SELECT algorithm FROM fallback_keys WHERE user_id = $1 AND device_id = $2 AND NOT used ORDER BY algorithm',
      [userId, deviceId],
    );
    return rows.map((row) => row.algorithm);
  }

  /**
   * Takes one one-time key of the algorithm away from the device, or, when none is left, hands
   * out its fallback key (which stays, marked used). Concurrent claims never get the same
   * one-time key: a claim skips keys another transaction has locked.
   */
  async claim(userId: string, deviceId: string, algorithm: string, em: EntityManager): Promise<OneTimeKey | undefined> {
    const taken = await queryRows<{ key_id: string; key: unknown }>(
      em,
      `DELETE FROM one_time_keys WHERE (user_id, device_id, algorithm, key_id) = (
         SELECT user_id, device_id, algorithm, key_id FROM one_time_keys
          WHERE user_id = $1 AND device_id = $2 AND algorithm = $3
          ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING key_id, key`,
      [userId, deviceId, algorithm],
    );
    const oneTime = taken[0];
    if (oneTime) return { algorithm, keyId: oneTime.key_id, key: oneTime.key };
    const fallback = await queryRows<{ key_id: string; key: unknown }>(
      em,
      'UPDATE fallback_keys SET used = TRUE WHERE user_id = $1 AND device_id = $2 AND algorithm = $3 RETURNING key_id, key',
      [userId, deviceId, algorithm],
    );
    const row = fallback[0];
    return row ? { algorithm, keyId: row.key_id, key: row.key } : undefined;
  }
}
