import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';
import type { UserMediaOrder } from './user-media-order';

interface AdminMediaRow {
  media_id: string;
  content_type: string | null;
  upload_name: string | null;
  size: string | null;
  created_ts: string;
  uploaded_ts: string | null;
  quarantined_by: string | null;
}

/** A local media ID as Synapse's admin API describes it. */
export interface AdminMediaItem {
  readonly mediaId: string;
  readonly contentType: string | null;
  readonly uploadName: string | null;
  readonly size: number | null;
  readonly createdTs: number;
  readonly uploadedTs: number | null;
  readonly quarantinedBy: string | null;
}

/** A deleted media ID and the blob it held (null for an asynchronous upload never filled). */
export interface DeletedMedia {
  readonly mediaId: string;
  readonly sha256: string | null;
}

/**
 * `local_media` as operators see it: every user's uploads, quarantine, deletion in bulk. Reads
 * profiles, room state and events (owned by accounts and rooms) only to find which media they
 * point at, read-only, as the retention purges read across libs.
 */
@Injectable()
export class MediaAdminRepository {
  constructor(private readonly dataSource: DataSource) {}

  async listByUploader(
    uploader: string,
    order: UserMediaOrder,
    page: { offset: number; limit: number },
    em: EntityManager = this.dataSource.manager,
  ): Promise<{ items: AdminMediaItem[]; total: number }> {
    const direction = order.descending ? 'DESC' : 'ASC';
    const rows = await queryRows<AdminMediaRow>(
      em,
      `SELECT media_id, content_type, upload_name, size, created_ts, uploaded_ts, quarantined_by FROM local_media
        WHERE uploader = $1 ORDER BY ${order.column} ${direction} NULLS LAST, media_id ASC OFFSET $2 LIMIT $3`,
      [uploader, page.offset, page.limit],
    );
    const [count] = await queryRows<{ n: number }>(
      em,
      'SELECT count(*)::int AS n FROM local_media WHERE uploader = $1',
      [uploader],
    );
    return { items: rows.map(toItem), total: count?.n ?? 0 };
  }

  /** Deletes these media IDs; answers the ones that existed and the blobs they held. */
  async delete(mediaIds: readonly string[], em: EntityManager): Promise<DeletedMedia[]> {
    if (mediaIds.length === 0) return [];
    const rows = await queryRows<{ media_id: string; sha256: string | null }>(
      em,
      'DELETE FROM local_media WHERE media_id = ANY($1::text[]) RETURNING media_id, sha256',
      [mediaIds],
    );
    return rows.map((row) => ({ mediaId: row.media_id, sha256: row.sha256 }));
  }

  /**
   * Uploaded media created before `beforeTs` and larger than `sizeGt`; without the ones used as a
   * user's or a room's avatar when `keepAvatars` (Synapse's keep_profiles).
   */
  async idsCreatedBefore(
    beforeTs: number,
    sizeGt: number,
    keepAvatars: boolean,
    serverName: string,
    em: EntityManager,
  ): Promise<string[]> {
    const rows = await queryRows<{ media_id: string }>(
      em,
      `SELECT media_id FROM local_media
        WHERE sha256 IS NOT NULL AND created_ts < $1 AND size > $2
          AND NOT ($3 AND ('mxc://' || $4 || '/' || media_id) IN (
                SELECT avatar_url FROM profiles WHERE avatar_url IS NOT NULL
                UNION ALL
                SELECT e.pdu->'content'->>'url' FROM current_state s JOIN events e ON e.event_id = s.event_id
                 WHERE s.type = 'm.room.avatar'
                UNION ALL
                SELECT e.pdu->'content'->>'avatar_url' FROM current_state s JOIN events e ON e.event_id = s.event_id
                 WHERE s.type = 'm.room.member'))
        ORDER BY created_ts`,
      [beforeTs, sizeGt, keepAvatars, serverName],
    );
    return rows.map((row) => row.media_id);
  }

  /** The uploader's media IDs, in the order an admin asked for (for deleting a page of them). */
  async idsByUploader(uploader: string, order: UserMediaOrder, limit: number, em: EntityManager): Promise<string[]> {
    const page = await this.listByUploader(uploader, order, { offset: 0, limit }, em);
    return page.items.map((item) => item.mediaId);
  }

  /** Quarantines (by `quarantinedBy`) or releases (null) these media IDs; answers how many changed. */
  async setQuarantine(
    mediaIds: readonly string[],
    quarantinedBy: string | null,
    now: number,
    em: EntityManager = this.dataSource.manager,
  ): Promise<string[]> {
    const rows = await queryRows<{ media_id: string }>(
      em,
      `UPDATE local_media SET quarantined_by = $2, quarantined_ts = CASE WHEN $2::text IS NULL THEN NULL ELSE $3::bigint END
        WHERE media_id = ANY($1::text[]) RETURNING media_id`,
      [mediaIds, quarantinedBy, now],
    );
    return rows.map((row) => row.media_id);
  }

  async quarantineUploader(uploader: string, quarantinedBy: string, now: number): Promise<number> {
    const rows = await queryRows<{ media_id: string }>(
      this.dataSource.manager,
      `UPDATE local_media SET quarantined_by = $2, quarantined_ts = $3
        WHERE uploader = $1 AND quarantined_by IS NULL RETURNING media_id`,
      [uploader, quarantinedBy, now],
    );
    return rows.length;
  }

  /** Every mxc:// URI in the content of the room's events (unredacted ones: redaction removes them). */
  async mxcUrisInRoom(roomId: string): Promise<string[]> {
    const rows = await queryRows<{ uri: string }>(
      this.dataSource.manager,
      `SELECT DISTINCT (regexp_matches((e.pdu->'content')::text, 'mxc://[A-Za-z0-9.:\\[\\]-]+/[A-Za-z0-9_-]+', 'g'))[1] AS uri
         FROM events e WHERE e.room_id = $1 AND e.redacted_by IS NULL`,
      [roomId],
    );
    return rows.map((row) => row.uri);
  }
}

function toItem(row: AdminMediaRow): AdminMediaItem {
  return {
    mediaId: row.media_id,
    contentType: row.content_type,
    uploadName: row.upload_name,
    size: row.size === null ? null : Number(row.size),
    createdTs: Number(row.created_ts),
    uploadedTs: row.uploaded_ts === null ? null : Number(row.uploaded_ts),
    quarantinedBy: row.quarantined_by,
  };
}
