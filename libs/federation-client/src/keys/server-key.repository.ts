import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { encodeBase64, decodeBase64, type JsonObject } from '@hearth/protocol';
import type { VerifiedKeyDocument } from './key-document';

export interface StoredServerKey {
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  /** Usable for signatures made before this time. */
  readonly validUntilTs: number;
}

@Injectable()
export class ServerKeyRepository {
  async keysOf(serverName: string, em: EntityManager): Promise<StoredServerKey[]> {
    const rows: Array<{ key_id: string; public_key: string; valid_until_ts: string; expired_ts: string | null }> =
      await em.query('SELECT key_id, public_key, valid_until_ts, expired_ts FROM server_keys WHERE server_name = $1', [
        serverName,
      ]);
    return rows.map((row) => ({
      keyId: row.key_id,
      publicKey: decodeBase64(row.public_key),
      validUntilTs: Number(row.expired_ts ?? row.valid_until_ts),
    }));
  }

  /**
   * Stores a verified document's keys and, when it is the newest we have, the document itself.
   * A key once seen as old keeps its expiry even if a later answer lists it as current again.
   */
  async store(keys: VerifiedKeyDocument, validUntilTs: number, now: number, em: EntityManager): Promise<void> {
    const entries = [
      ...[...keys.verifyKeys].map(([keyId, key]) => ({ keyId, key, expiredTs: null as number | null })),
      ...[...keys.oldVerifyKeys].map(([keyId, { key, expiredTs }]) => ({ keyId, key, expiredTs })),
    ];
    await em.query(
      `INSERT INTO server_keys (server_name, key_id, public_key, valid_until_ts, expired_ts, fetched_ts)
       SELECT $1, t.key_id, t.public_key, $2, t.expired_ts, $3 FROM unnest($4::text[], $5::text[], $6::bigint[]) AS t (key_id, public_key, expired_ts)
       ON CONFLICT (server_name, key_id) DO UPDATE
         SET valid_until_ts = GREATEST(server_keys.valid_until_ts, EXCLUDED.valid_until_ts),
             expired_ts = COALESCE(server_keys.expired_ts, EXCLUDED.expired_ts),
             fetched_ts = EXCLUDED.fetched_ts`,
      [
        keys.serverName,
        validUntilTs,
        now,
        entries.map((e) => e.keyId),
        entries.map((e) => encodeBase64(e.key)),
        entries.map((e) => e.expiredTs),
      ],
    );
    await em.query(
      `INSERT INTO server_key_documents (server_name, document, valid_until_ts, fetched_ts) VALUES ($1, $2, $3, $4)
       ON CONFLICT (server_name) DO UPDATE SET document = EXCLUDED.document, valid_until_ts = EXCLUDED.valid_until_ts, fetched_ts = EXCLUDED.fetched_ts
       WHERE server_key_documents.valid_until_ts <= EXCLUDED.valid_until_ts`,
      [keys.serverName, JSON.stringify(keys.document), keys.validUntilTs, now],
    );
  }

  /** The newest self-signed document we hold for a server, as served when we act as a notary. */
  async document(
    serverName: string,
    em: EntityManager,
  ): Promise<{ document: JsonObject; validUntilTs: number } | undefined> {
    const rows: Array<{ document: JsonObject; valid_until_ts: string }> = await em.query(
      'SELECT document, valid_until_ts FROM server_key_documents WHERE server_name = $1',
      [serverName],
    );
    const row = rows[0];
    return row ? { document: row.document, validUntilTs: Number(row.valid_until_ts) } : undefined;
  }
}
