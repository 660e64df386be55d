import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * What erasure deletes beyond deactivation (which already takes the password, devices, tokens
 * and profile fields): the user's own rows of every table that holds something of theirs alone.
 * Room events and receipts stay: they are part of rooms other people share.
 */
const ERASE_STATEMENTS: readonly string[] = [
  'DELETE FROM account_data WHERE user_id = $1',
  'DELETE FROM push_rules WHERE user_id = $1',
  'DELETE FROM user_filters WHERE user_id = $1',
  'DELETE FROM device_keys WHERE user_id = $1',
  'DELETE FROM one_time_keys WHERE user_id = $1',
  'DELETE FROM fallback_keys WHERE user_id = $1',
  'DELETE FROM cross_signing_keys WHERE user_id = $1',
  'DELETE FROM key_signatures WHERE signer_user_id = $1 OR target_user_id = $1',
  'DELETE FROM key_backup_versions WHERE user_id = $1',
  'DELETE FROM openid_tokens WHERE user_id = $1',
  'DELETE FROM pushers WHERE user_id = $1',
];

@Injectable()
export class ErasureRepository {
  async eraseRows(userId: string, em: EntityManager): Promise<void> {
    for (const statement of ERASE_STATEMENTS) await em.query(statement, [userId]);
  }

  async markErased(userId: string, now: number, em: EntityManager): Promise<void> {
    await em.query('INSERT INTO erased_users (user_id, erased_ts) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      userId,
      now,
    ]);
  }

  async isErased(userId: string, em: EntityManager): Promise<boolean> {
    const rows: unknown[] = await em.query('SELECT 1 FROM erased_users WHERE user_id = $1', [userId]);
    return rows.length > 0;
  }
}
