import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { FederationClient } from '@hearth/federation-client';
import type { z } from 'zod';
import type { JsonObject, SendTransactionBody } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { OutboxRepository } from '../outbox/outbox.repository';
import { DELIVERY_QUEUE, type DeliveryQueue } from '../queue/delivery-queue';
import { retryDelay } from './backoff';
import { DestinationRepository } from './destination.repository';
import { newTransactionId } from './transaction-id';

const MAX_PDUS = 50;
const MAX_EDUS = 100;
/** Beyond the request timeout, how long a sender holds its destination per transaction; a killed sender's lease runs out. */
const LEASE_MARGIN_MS = 5_000;
/** Typing notices waiting longer than this for a failing peer are dropped. */
const STALE_DROPPABLE_MS = 60_000;

/**
 * One destination's job: under its lease, send its outbox in order, at most 50 PDUs and 100
 * EDUs per transaction, deleting rows only once the peer accepted them. A transaction's rows
 * keep its (random) ID in the outbox, so a retry, even by another process after a crash, sends
 * the same rows under the same ID and the peer can tell. On failure, the destination backs off
 * and the job is scheduled again for when the backoff ends.
 */
@Injectable()
export class DestinationSender {
  private readonly logger = new Logger(DestinationSender.name);
  private readonly owner = randomUUID();

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(DELIVERY_QUEUE) private readonly queue: DeliveryQueue,
    private readonly outbox: OutboxRepository,
    private readonly destinations: DestinationRepository,
    private readonly client: FederationClient,
    private readonly tx: TransactionRunner,
  ) {}

  async deliver(destination: string): Promise<void> {
    const now = Date.now();
    const state = await this.tx.run((em) =>
      this.destinations.lease(destination, this.owner, now, now + this.leaseMs, em),
    );
    if (!state) return this.waitForBackoff(destination, now);
    let failures = state.failures;
    try {
      if (failures > 0) await this.tx.run((em) => this.outbox.dropStale(destination, now - STALE_DROPPABLE_MS, em));
      if (state.downSince !== null && now - state.downSince > this.config.delivery.catchUpAfterMs)
        await this.catchUp(destination);
      for (;;) {
        const next = await this.tx.run(
          async (em) =>
            (await this.outbox.begun(destination, em)) ??
            this.outbox.begin(destination, newTransactionId(), { pdus: MAX_PDUS, edus: MAX_EDUS }, em),
        );
        if (!next) return;
        const { txnId, pdus, edus } = next;
        const ids = [...pdus, ...edus].map((row) => row.id);
        try {
          await this.sendTransaction(
            destination,
            txnId,
            pdus.map((row) => row.payload),
            edus.map((row) => row.payload),
          );
        } catch (error) {
          await this.backOff(destination, failures, error);
          return;
        }
        await this.tx.run(async (em) => {
          await this.outbox.delete(ids, em);
          await this.destinations.succeeded(destination, Date.now(), em);
          // Still ours: each transaction extends the lease.
          await this.destinations.lease(destination, this.owner, Date.now(), Date.now() + this.leaseMs, em);
        });
        failures = 0;
      }
    } finally {
      // An unreleased lease only delays the next sender until it expires.
      await this.tx
        .run((em) => this.destinations.release(destination, this.owner, em))
        .catch((error: unknown) => this.logger.warn(`releasing the lease on ${destination}: ${String(error)}`));
    }
  }

  /** Spec SS API `PUT /_matrix/federation/v1/send/{txnId}`; throws (to be retried with the same rows) unless the peer answered 200. */
  private async sendTransaction(
    destination: string,
    txnId: string,
    pdus: readonly JsonObject[],
    edus: readonly JsonObject[],
  ): Promise<void> {
    const body = {
      origin: this.config.serverName,
      origin_server_ts: Date.now(),
      pdus: [...pdus],
      edus: [...edus],
    } satisfies z.input<typeof SendTransactionBody>;
    await this.client.request(destination, {
      method: 'PUT',
      path: `/_matrix/federation/v1/send/${encodeURIComponent(txnId)}`,
      body,
    });
  }

  /** A destination back after a long outage gets each room's newest event, not the whole backlog. */
  private async catchUp(destination: string): Promise<void> {
    const dropped = await this.tx.run(async (em) =>
      (await this.outbox.pduCountFor(destination, em)) > MAX_PDUS
        ? this.outbox.keepNewestPduPerRoom(destination, em)
        : 0,
    );
    if (dropped > 0)
      this.logger.log(
        `${destination} is back after a long outage: sending the newest event of each room instead of ${dropped} older ones`,
      );
  }

  private get leaseMs(): number {
    return this.config.federation.requestTimeoutMs + LEASE_MARGIN_MS;
  }

  /**
   * Not taken: its backoff runs, or another sender holds it (which sends what is pending, unless
   * it died: then its lease runs out). Either way, come back when that ends.
   */
  private async waitForBackoff(destination: string, now: number): Promise<void> {
    const current = await this.tx.read((em) => this.destinations.find(destination, em));
    if (!current) return;
    const until = Math.max(current.retryAt, current.leasedUntil ?? 0);
    if (until > now) await this.queue.schedule(destination, until - now + 50);
  }

  private async backOff(destination: string, failures: number, error: unknown): Promise<void> {
    const delay = retryDelay(failures + 1, this.config.delivery.maxRetryIntervalMs);
    const message = error instanceof Error ? error.message : String(error);
    this.logger.warn(
      `sending to ${destination} failed (attempt ${failures + 1}), retrying in ${Math.round(delay / 1000)} s: ${message}`,
    );
    await this.tx.run((em) => this.destinations.failed(destination, message, Date.now(), Date.now() + delay, em));
    await this.queue.schedule(destination, delay);
  }
}
