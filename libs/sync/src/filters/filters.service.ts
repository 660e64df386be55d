import { Injectable } from '@nestjs/common';
import { MatrixError, parseJsonParam } from '@hearth/http';
import { TransactionRunner } from '@hearth/storage';
import { FilterRepository } from './filter.repository';
import { parseSyncFilter, type SyncFilter } from './sync-filter';

/** Spec CS API "Filtering": filters a user uploads once and names in /sync by ID. */
@Injectable()
export class FiltersService {
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
    const found = /^\d{1,15}$/.test(filterId)
      ? await this.tx.run((em) => this.filters.find(userId, Number(filterId), em))
      : undefined;
    if (!found) throw MatrixError.notFound('No such filter');
    return found;
  }

  /** /sync's `filter` parameter: inline JSON when it starts with `{`, otherwise a filter ID. */
  async resolve(userId: string, param: string | undefined): Promise<SyncFilter> {
    if (param === undefined || param === '') return {};
    if (param.trimStart().startsWith('{')) return parseSyncFilter(parseJsonParam(param, 'filter'));
    return this.get(userId, userId, param);
  }
}
