import { Inject, Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { TransactionRunner } from '@hearth/storage';
import { DELIVERY_QUEUE, type DeliveryQueue } from '../queue/delivery-queue';
import { OutboxRepository } from '../outbox/outbox.repository';
import { DestinationRepository, type DestinationState } from './destination.repository';

/** Synapse's admin API shape: `/_synapse/admin/v1/federation/destinations`. */
export interface DestinationView {
  readonly destination: string;
  readonly retry_last_ts: number;
  readonly retry_interval: number;
  readonly failure_ts: number | null;
  readonly last_successful_stream_ordering: null;
  readonly pending: number;
  readonly last_error: string | null;
  readonly last_success_ts: number | null;
}

@Injectable()
export class DestinationsAdminService {
  constructor(
    private readonly destinations: DestinationRepository,
    private readonly outbox: OutboxRepository,
    private readonly tx: TransactionRunner,
    @Inject(DELIVERY_QUEUE) private readonly queue: DeliveryQueue,
  ) {}

  async list(
    from: number,
    limit: number,
  ): Promise<{ destinations: DestinationView[]; total: number; next_token?: string }> {
    return this.tx.read(async (em) => {
      const { destinations, total } = await this.destinations.list(from, limit, em);
      const views = await Promise.all(
        destinations.map(async (state) => toView(state, await this.outbox.countFor(state.destination, em))),
      );
      return {
        destinations: views,
        total,
        ...(from + views.length < total ? { next_token: String(from + views.length) } : {}),
      };
    });
  }

  async get(destination: string): Promise<DestinationView> {
    return this.tx.read(async (em) => {
      const state = await this.destinations.find(destination, em);
      if (!state) throw MatrixError.notFound('Unknown destination');
      return toView(state, await this.outbox.countFor(destination, em));
    });
  }

  /** Resets the backoff and tries the destination now. */
  async reset(destination: string): Promise<void> {
    const found = await this.tx.run((em) => this.destinations.reset(destination, em));
    if (!found) throw MatrixError.notFound('Unknown destination');
    await this.queue.schedule(destination);
  }
}

function toView(state: DestinationState, pending: number): DestinationView {
  return {
    destination: state.destination,
    retry_last_ts: state.failures > 0 ? state.retryAt : 0,
    retry_interval: state.failures > 0 ? Math.max(0, state.retryAt - Date.now()) : 0,
    failure_ts: state.downSince,
    last_successful_stream_ordering: null,
    pending,
    last_error: state.lastError,
    last_success_ts: state.lastSuccessTs,
  };
}
