import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '@hearth/storage';
import type { OpenGraph } from './open-graph';

/** `url_previews`: previews cached per URL until `expires_ts`; who asked is not stored. */
@Injectable()
export class UrlPreviewRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findFresh(url: string, now: number): Promise<OpenGraph | undefined> {
    const rows = await queryRows<{ og: OpenGraph }>(
      this.dataSource.manager,
      'SELECT og FROM url_previews WHERE url = $1 AND expires_ts > $2',
      [url, now],
    );
    return rows[0]?.og;
  }

  async save(url: string, og: OpenGraph, now: number, expiresTs: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO url_previews (url, og, fetched_ts, expires_ts) VALUES ($1, $2, $3, $4)
       ON CONFLICT (url) DO UPDATE SET og = EXCLUDED.og, fetched_ts = EXCLUDED.fetched_ts, expires_ts = EXCLUDED.expires_ts`,
      [url, JSON.stringify(og), now, expiresTs],
    );
  }
}
