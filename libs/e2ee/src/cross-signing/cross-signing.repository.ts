import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import { queryRows } from '@hearth/storage';

export type KeyUsage = 'master' | 'self_signing' | 'user_signing';

export interface StoredSigningKey {
  readonly userId: string;
  readonly usage: KeyUsage;
  readonly keyId: string;
  readonly key: JsonObject;
}

export interface KeySignature {
  readonly signerUserId: string;
  readonly signerKeyId: string;
  readonly targetUserId: string;
  readonly targetKeyId: string;
  readonly signature: string;
}

@Injectable()
export class CrossSigningRepository {
  async keysOf(userIds: readonly string[], em: EntityManager): Promise<StoredSigningKey[]> {
    if (userIds.length === 0) return [];
    const rows = await queryRows<{ user_id: string; usage: KeyUsage; key_id: string; key: JsonObject }>(
      em,
      'SELECT user_id, usage, key_id, key FROM cross_signing_keys WHERE user_id = ANY($1::text[])',
      [userIds],
    );
    return rows.map((row) => ({ userId: row.user_id, usage: row.usage, keyId: row.key_id, key: row.key }));
  }

  async put(userId: string, usage: KeyUsage, keyId: string, key: JsonObject, em: EntityManager): Promise<void> {
    await em.query(
      'INSERT INTO cross_signing_keys (user_id, usage, key_id, key) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, usage) DO UPDATE SET key_id = EXCLUDED.key_id, key = EXCLUDED.key',
      [userId, usage, keyId, JSON.stringify(key)],
    );
  }

  async addSignatures(signatures: readonly KeySignature[], em: EntityManager): Promise<void> {
    if (signatures.length === 0) return;
    await em.query(
      `INSERT INTO key_signatures (signer_user_id, signer_key_id, target_user_id, target_key_id, signature)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
       ON CONFLICT (target_user_id, target_key_id, signer_user_id, signer_key_id) DO UPDATE SET signature = EXCLUDED.signature`,
      [
        signatures.map((s) => s.signerUserId),
        signatures.map((s) => s.signerKeyId),
        signatures.map((s) => s.targetUserId),
        signatures.map((s) => s.targetKeyId),
        signatures.map((s) => s.signature),
      ],
    );
  }

  /** Signatures over the given users' keys (devices by device ID, cross-signing keys by public key). */
  async signaturesOver(userIds: readonly string[], em: EntityManager): Promise<KeySignature[]> {
    if (userIds.length === 0) return [];
    const rows = await queryRows<{
      signer_user_id: string;
      signer_key_id: string;
      target_user_id: string;
      target_key_id: string;
      signature: string;
    }>(
      em,
      'SELECT signer_user_id, signer_key_id, target_user_id, target_key_id, signature FROM key_signatures WHERE target_user_id = ANY($1::text[])',
      [userIds],
    );
    return rows.map((row) => ({
      signerUserId: row.signer_user_id,
      signerKeyId: row.signer_key_id,
      targetUserId: row.target_user_id,
      targetKeyId: row.target_key_id,
      signature: row.signature,
    }));
  }
}
