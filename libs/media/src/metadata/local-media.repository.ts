import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';
import type { LocalMedia, UploadedContent } from './local-media';

interface LocalMediaRow {
  media_id: string;
  uploader: string;
  content_type: string | null;
  upload_name: string | null;
  size: string | null;
  sha256: string | null;
  created_ts: string;
  uploaded_ts: string | null;
  unused_expires_ts: string | null;
  quarantined_ts: string | null;
}

const COLUMNS =
  'media_id, uploader, content_type, upload_name, size, sha256, created_ts, uploaded_ts, unused_expires_ts, quarantined_ts';

/** `local_media`: the media IDs our users created and what they hold. */
@Injectable()
export class LocalMediaRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(mediaId: string, em: EntityManager = this.dataSource.manager): Promise<LocalMedia | undefined> {
    const rows = await queryRows<LocalMediaRow>(em, `SELECT ${COLUMNS} FROM local_media WHERE media_id = $1`, [
      mediaId,
    ]);
    return rows[0] && toLocalMedia(rows[0]);
  }

  async insertUploaded(
    media: { mediaId: string; uploader: string; now: number } & UploadedContent,
    em: EntityManager,
  ): Promise<void> {
    await em.query(
      `INSERT INTO local_media (media_id, uploader, content_type, upload_name, size, sha256, created_ts, uploaded_ts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
      [media.mediaId, media.uploader, media.contentType, media.uploadName, media.size, media.sha256, media.now],
    );
  }

  async insertPending(mediaId: string, uploader: string, now: number, expiresTs: number): Promise<void> {
    await this.dataSource.query(
      'INSERT INTO local_media (media_id, uploader, created_ts, unused_expires_ts) VALUES ($1, $2, $3, $4)',
      [mediaId, uploader, now, expiresTs],
    );
  }

  /** Fills a pending upload; false when it was filled meanwhile (or lapsed), so nothing is overwritten. */
  async fillPending(mediaId: string, content: UploadedContent, now: number, em: EntityManager): Promise<boolean> {
    const rows = await queryRows<{ media_id: string }>(
      em,
      `UPDATE local_media SET content_type = $2, upload_name = $3, size = $4, sha256 = $5, uploaded_ts = $6,
              unused_expires_ts = NULL
        WHERE media_id = $1 AND sha256 IS NULL AND unused_expires_ts > $6
        RETURNING media_id`,
      [mediaId, content.contentType, content.uploadName, content.size, content.sha256, now],
    );
    return rows.length === 1;
  }

  /** Forgets the user's asynchronous uploads whose bytes never came in time. */
  async dropLapsed(uploader: string, now: number): Promise<void> {
    await this.dataSource.query(
      'DELETE FROM local_media WHERE uploader = $1 AND sha256 IS NULL AND unused_expires_ts <= $2',
      [uploader, now],
    );
  }

  async countPending(uploader: string): Promise<number> {
    const rows = await queryRows<{ count: string }>(
      this.dataSource.manager,
      'SELECT count(*) AS count FROM local_media WHERE uploader = $1 AND sha256 IS NULL',
      [uploader],
    );
    return Number(rows[0]?.count ?? 0);
  }

  async bytesUploadedBy(uploader: string): Promise<number> {
    const rows = await queryRows<{ total: string | null }>(
      this.dataSource.manager,
      'SELECT sum(size) AS total FROM local_media WHERE uploader = $1',
      [uploader],
    );
    return Number(rows[0]?.total ?? 0);
  }

  /** The user's media, newest first, from before `beforeTs` (exclusive) when given. */
  async listByUploader(
    uploader: string,
    limit: number,
    before?: { createdTs: number; mediaId: string },
  ): Promise<LocalMedia[]> {
    const rows = await queryRows<LocalMediaRow>(
      this.dataSource.manager,
      `SELECT ${COLUMNS} FROM local_media
        WHERE uploader = $1 AND ($2::bigint IS NULL OR (created_ts, media_id) < ($2::bigint, $3::text))
        ORDER BY created_ts DESC, media_id DESC LIMIT $4`,
      [uploader, before?.createdTs ?? null, before?.mediaId ?? '', limit],
    );
    return rows.map(toLocalMedia);
  }

  /** Deletes the row when `uploader` owns it; returns what it pointed at. */
  async deleteOwned(mediaId: string, uploader: string, em: EntityManager): Promise<LocalMedia | undefined> {
    const rows = await queryRows<LocalMediaRow>(
      em,
      `DELETE FROM local_media WHERE media_id = $1 AND uploader = $2 RETURNING ${COLUMNS}`,
      [mediaId, uploader],
    );
    return rows[0] && toLocalMedia(rows[0]);
  }
}

function toLocalMedia(row: LocalMediaRow): LocalMedia {
  return {
    mediaId: row.media_id,
    uploader: row.uploader,
    contentType: row.content_type,
    uploadName: row.upload_name,
    size: row.size === null ? null : Number(row.size),
    sha256: row.sha256,
    createdTs: Number(row.created_ts),
    uploadedTs: row.uploaded_ts === null ? null : Number(row.uploaded_ts),
    unusedExpiresTs: row.unused_expires_ts === null ? null : Number(row.unused_expires_ts),
    quarantinedTs: row.quarantined_ts === null ? null : Number(row.quarantined_ts),
  };
}
