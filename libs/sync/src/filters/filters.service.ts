import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { MatrixError, parseJsonParam } from '@hearth/http';
import { TransactionRunner } from '@hearth/storage';
import { FilterRepository } from './filter.repository';
import { parseSyncFilter, type SyncFilter } from './sync-filter';

/** Uploaded filters kept parsed: a client names one in every /sync, so about one per device syncing now. */
const MAX_KEPT_FILTERS = 10_000;
/** Inline filters kept parsed, by their text (at most the 16 kB of a request line each). */
const MAX_KEPT_INLINE_FILTERS = 1_000;

/**
 * Spec CS API "Filtering": filters a user uploads once and names in /sync by ID. A filter never
 * changes once uploaded, so one read (or, inline, one parse) serves every later /sync naming it.
 */
@Injectable()
export class FiltersService {
  private readonly kept = new LRUCache<string, SyncFilter>({ max: MAX_KEPT_FILTERS });
  private readonly keptInline = new LRUCache<string, SyncFilter>({ max: MAX_KEPT_INLINE_FILTERS });

  constructor(
    private readonly filters: FilterRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async create(requester: string, userId: string, body: unknown): Promise<{ filter_id: string }> {
    if (requester !== userId) throw MatrixError.forbidden('Cannot create filters for other users');
    const filter = parseSyncFilter(body);
    const id = await this.tx.run((em) => this.filters.insert(userId, filter, em));
    return { filter_id: String(id) };
  }

  async get(requester: string, userId: string, filterId: string): Promise<SyncFilter> {
    if (requester !== userId) throw MatrixError.forbidden('Cannot read filters of other users');
    const key = `${userId}\n${filterId}`;
    const kept = this.kept.get(key);
    if (kept) return kept;
    const found = /^\d{1,15}$/.test(filterId)
      ? await this.tx.read((em) => this.filters.find(userId, Number(filterId), em))
      : undefined;
    if (!found) throw MatrixError.notFound('No such filter');
    this.kept.set(key, found);
    return found;
  }

  /** /sync's `filter` parameter: inline JSON when it starts with `{`, otherwise a filter ID. */
  async resolve(userId: string, param: string | undefined): Promise<SyncFilter> {
    if (param === undefined || param === '') return {};
    if (!param.trimStart().startsWith('{')) return this.get(userId, userId, param);
    const kept = this.keptInline.get(param);
    if (kept) return kept;
    const filter = parseSyncFilter(parseJsonParam(param, 'filter'));
    this.keptInline.set(param, filter);
    return filter;
  }
}
