import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';

/**
 * What erasure deletes beyond deactivation (which already takes the password, devices, tokens
 * and profile fields): the user's own rows of every table that holds something of theirs alone.
 * Their notifications and unread counts go through NotificationCounts, a batch a transaction
 * (ErasureService). Room events and receipts stay: they are part of rooms other people share.
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

  /**
   * Deletes the user's uploads (finished or pending) and the content no other upload or thumbnail
   * holds any more (nor a cached remote file with the same bytes), with the thumbnails of that content; answers the hashes whose bytes may go
   * from the store once this commits. Content another user uploaded too stays.
   */
  async eraseUploads(userId: string, em: EntityManager): Promise<string[]> {
    const gone = await queryRows<{ sha256: string | null }>(
      em,
      'DELETE FROM local_media WHERE uploader = $1 RETURNING sha256',
      [userId],
    );
    const hashes = [...new Set(gone.flatMap((row) => (row.sha256 ? [row.sha256] : [])))];
    if (hashes.length === 0) return [];
    // Read before the sources go: their thumbnails' rows go with them (ON DELETE CASCADE), the bytes stay content of their own.
    const thumbnails: Array<{ sha256: string }> = await em.query(
      'SELECT DISTINCT sha256 FROM media_thumbnails WHERE source_sha256 = ANY($1::text[])',
      [hashes],
    );
    const sources = await this.deleteUnreferencedContent(hashes, em);
    const thumbnailHashes = await this.deleteUnreferencedContent(
      thumbnails.map((row) => row.sha256),
      em,
    );
    return [...sources, ...thumbnailHashes];
  }

  private async deleteUnreferencedContent(hashes: readonly string[], em: EntityManager): Promise<string[]> {
    if (hashes.length === 0) return [];
    const deleted = await queryRows<{ sha256: string }>(
      em,
      `DELETE FROM media_content c WHERE c.sha256 = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM local_media m WHERE m.sha256 = c.sha256)
          AND NOT EXISTS (SELECT 1 FROM media_thumbnails t WHERE t.sha256 = c.sha256)
          AND NOT EXISTS (SELECT 1 FROM remote_media_cache r WHERE r.sha256 = c.sha256)
        RETURNING c.sha256`,
      [hashes],
    );
    return deleted.map((row) => row.sha256);
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
