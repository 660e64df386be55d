import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { TransactionRunner } from '@hearth/storage';
import { parseAvailabilityDefault } from './availability-default';
import { AvailabilityDefaultRepository, type StoredAvailabilityDefault } from './availability-default.repository';
import { parseAvailability } from './availability-schedule';
import { problemsOutsideLimits } from './schedule-limits';

/** The organisation's default schedule and the limits of users' own, for the admin API, the CLI and account data. */
@Injectable()
export class AvailabilityDefaultService {
  constructor(
    private readonly defaults: AvailabilityDefaultRepository,
    private readonly tx: TransactionRunner,
  ) {}

  get(): Promise<StoredAvailabilityDefault | undefined> {
    return this.tx.read((em) => this.defaults.find(em));
  }

  /** Validates the whole body, every problem at once, then stores it in place of the previous one. */
  async set(body: unknown): Promise<StoredAvailabilityDefault> {
    const parsed = parseAvailabilityDefault(body);
    if (!parsed.ok) throw MatrixError.invalidParam(`Invalid default availability: ${parsed.problems.join('; ')}`);
    const now = Date.now();
    await this.tx.run((em) => this.defaults.save(parsed.value, now, em));
    return { ...parsed.value, updated_ts: now };
  }

  async clear(): Promise<boolean> {
    return this.tx.run((em) => this.defaults.delete(em));
  }

  /**
   * A user's own schedule, checked as it is written: it must parse, and keep within what the
   * organisation allows. Refused whole with every problem in one message; the previous one stays.
   */
  async assertAcceptable(content: unknown): Promise<void> {
    const parsed = parseAvailability(content);
    if (!parsed.ok) throw MatrixError.invalidParam(`Invalid availability schedule: ${parsed.problems.join('; ')}`);
    const organisation = await this.get();
    const outside = organisation ? problemsOutsideLimits(parsed.schedule, organisation) : [];
    if (outside.length > 0)
      throw MatrixError.invalidParam(`Outside what the organisation allows: ${outside.join('; ')}`);
  }
}
