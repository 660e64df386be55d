import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';

/** A kept thumbnail: which blob holds it, and how to label it. */
export interface StoredThumbnail {
  readonly sha256: string;
  readonly contentType: string;
  readonly size: number;
}

export interface ThumbnailKey {
  readonly sourceSha256: string;
  readonly width: number;
  readonly height: number;
  readonly method: 'crop' | 'scale';
  readonly animated: boolean;
}

/** `media_content` (one row per stored blob) and `media_thumbnails`. */
@Injectable()
export class MediaContentRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records the blob, or locks its existing row: until the transaction ends, a delete of the same
   * content waits, so the bytes kept in it cannot be removed under it.
   */
  async claim(sha256: string, size: number, now: number, em: EntityManager): Promise<void> {
    await em.query(
      `INSERT INTO media_content (sha256, size, created_ts) VALUES ($1, $2, $3)
       ON CONFLICT (sha256) DO UPDATE SET size = EXCLUDED.size`,
      [sha256, size, now],
    );
  }

  async findThumbnail(key: ThumbnailKey): Promise<StoredThumbnail | undefined> {
    const rows = await queryRows<{ sha256: string; content_type: string; size: string }>(
      this.dataSource.manager,
      `SELECT sha256, content_type, size FROM media_thumbnails
        WHERE source_sha256 = $1 AND width = $2 AND height = $3 AND method = $4 AND animated = $5`,
      [key.sourceSha256, key.width, key.height, key.method, key.animated],
    );
    const row = rows[0];
    return row && { sha256: row.sha256, contentType: row.content_type, size: Number(row.size) };
  }

  async insertThumbnail(key: ThumbnailKey, thumbnail: StoredThumbnail, now: number, em: EntityManager): Promise<void> {
    await em.query(
      `INSERT INTO media_thumbnails (source_sha256, width, height, method, animated, content_type, size, sha256, created_ts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [
        key.sourceSha256,
        key.width,
        key.height,
        key.method,
        key.animated,
        thumbnail.contentType,
        thumbnail.size,
        thumbnail.sha256,
        now,
      ],
    );
  }

  /**
   * Drops the blob's row when nothing refers to it any more, together with its thumbnails' rows
   * (and theirs, when nothing else uses the same bytes). Returns the blobs to remove from the store,
   * whose rows are locked until the transaction ends.
   */
  async releaseIfUnused(sha256: string, em: EntityManager): Promise<string[]> {
    const locked = await queryRows<{ sha256: string }>(
      em,
      'SELECT sha256 FROM media_content WHERE sha256 = $1 FOR UPDATE',
      [sha256],
    );
    if (locked.length === 0 || (await this.isReferenced(sha256, em))) return [];
    const thumbnails = await queryRows<{ sha256: string }>(
      em,
      'DELETE FROM media_thumbnails WHERE source_sha256 = $1 RETURNING sha256',
      [sha256],
    );
    await em.query('DELETE FROM media_content WHERE sha256 = $1', [sha256]);
    const released = [sha256];
    for (const thumbnail of new Set(thumbnails.map((row) => row.sha256))) {
      if (thumbnail !== sha256) released.push(...(await this.releaseIfUnused(thumbnail, em)));
    }
    return released;
  }

  private async isReferenced(sha256: string, em: EntityManager): Promise<boolean> {
    const rows = await queryRows<{ used: boolean }>(
      em,
      `SELECT EXISTS (SELECT 1 FROM local_media WHERE sha256 = $1)
           OR EXISTS (SELECT 1 FROM remote_media_cache WHERE sha256 = $1)
           OR EXISTS (SELECT 1 FROM media_thumbnails WHERE sha256 = $1) AS used`,
      [sha256],
    );
    return rows[0]?.used === true;
  }
}
