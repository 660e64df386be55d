import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';
import type { RemoteMedia } from './remote-media';

interface RemoteMediaRow {
  origin: string;
  media_id: string;
  content_type: string;
  upload_name: string | null;
  size: string;
  sha256: string;
  created_ts: string;
  last_access_ts: string;
  quarantined_ts?: string | null;
}

const COLUMNS = 'origin, media_id, content_type, upload_name, size, sha256, created_ts, last_access_ts';

/** `remote_media_cache`: other servers' media we fetched, by origin and media ID. */
@Injectable()
export class RemoteMediaRepository {
  async find(origin: string, mediaId: string, em: EntityManager): Promise<RemoteMedia | undefined> {
    const rows = await queryRows<RemoteMediaRow>(
      em,
      `SELECT ${COLUMNS}, quarantined_ts FROM remote_media_cache WHERE origin = $1 AND media_id = $2`,
      [origin, mediaId],
    );
    return rows[0] && toRemoteMedia(rows[0]);
  }

  /** Records a fetched file; another process that cached it meanwhile keeps its row. */
  async insert(media: RemoteMedia, em: EntityManager): Promise<void> {
    await em.query(
      `INSERT INTO remote_media_cache (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (origin, media_id) DO NOTHING`,
      [
        media.origin,
        media.mediaId,
        media.contentType,
        media.uploadName,
        media.size,
        media.sha256,
        media.createdTs,
        media.lastAccessTs,
      ],
    );
  }

  /** Moves the last access to `day`; a no-op (no write) for the rest of that day. */
  async touch(origin: string, mediaId: string, day: number, em: EntityManager): Promise<void> {
    await em.query(
      'UPDATE remote_media_cache SET last_access_ts = $3 WHERE origin = $1 AND media_id = $2 AND last_access_ts < $3',
      [origin, mediaId, day],
    );
  }

  /** Quarantines (`by` an admin) or releases (null) a cached entry; false when it is not cached. */
  async setQuarantine(origin: string, mediaId: string, by: string | null, now: number, em: EntityManager) {
    const rows = await queryRows<{ media_id: string }>(
      em,
      `UPDATE remote_media_cache SET quarantined_by = $3, quarantined_ts = CASE WHEN $3::text IS NULL THEN NULL ELSE $4::bigint END
        WHERE origin = $1 AND media_id = $2 RETURNING media_id`,
      [origin, mediaId, by, now],
    );
    return rows.length > 0;
  }

  /** Forgets up to `limit` entries not read since `before`; answers the blobs they held. */
  async deleteUnreadSince(before: number, limit: number, em: EntityManager): Promise<string[]> {
    const rows = await queryRows<{ sha256: string }>(
      em,
      `DELETE FROM remote_media_cache WHERE (origin, media_id) IN (
         SELECT origin, media_id FROM remote_media_cache WHERE last_access_ts < $1 LIMIT $2 FOR UPDATE SKIP LOCKED
       ) RETURNING sha256`,
      [before, limit],
    );
    return rows.map((row) => row.sha256);
  }
}

function toRemoteMedia(row: RemoteMediaRow): RemoteMedia {
  return {
    origin: row.origin,
    mediaId: row.media_id,
    contentType: row.content_type,
    uploadName: row.upload_name,
    size: Number(row.size),
    sha256: row.sha256,
    createdTs: Number(row.created_ts),
    lastAccessTs: Number(row.last_access_ts),
    quarantinedTs: row.quarantined_ts === null || row.quarantined_ts === undefined ? null : Number(row.quarantined_ts),
  };
}
