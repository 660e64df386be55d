import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ChangeStreams, StreamName } from './change-streams';
import { TransactionRunner } from './transaction-runner';

interface ChangeHeader<S extends StreamName> {
  readonly stream: S;
  /** The position the change took in its stream, where the publisher has it at hand. */
  readonly position?: number;
  /** Users whose own sync this concerns (the notifier wakes `user:<id>`). */
  readonly userIds: readonly string[];
  /** Rooms whose sync this concerns (the notifier wakes `room:<id>`). */
  readonly roomIds: readonly string[];
}

/** A change to stream `S` (any stream by default: then `stream` tells them apart). */
export type Change<S extends StreamName = StreamName> = S extends StreamName
  ? ChangeHeader<S> & ChangeStreams[S]
  : never;

export type ChangeHandler<S extends StreamName> = (change: Change<S>) => void | Promise<void>;

interface Subscription {
  readonly name: string;
  readonly handler: (change: Change) => void | Promise<void>;
  readonly background: boolean;
  active: boolean;
}

export interface SubscribeOptions {
  /**
   * Hear each change on a later turn of the event loop (a timer), after those it wakes: work that
   * nobody waits on (push, automatic replies) then sends its reads to the database behind the
   * woken syncs' first ones (gathered with setImmediate, which runs first after an I/O callback
   * such as a commit's answer) instead of ahead of them. Still in the order published.
   */
  readonly background?: boolean;
}

/**
 * What committed, announced once on one typed bus (docs/architecture.md, rule 3). Writers publish
 * after their transaction commits (`publishAfterCommit`), or at once for what is in memory only
 * (typing) or committed already; subscribers hear every change of the streams they chose, in
 * the order published, in this process. A subscriber that throws or rejects is logged and the
 * others still hear the change; the publisher never sees the failure.
 */
@Injectable()
export class ChangeBus {
  private readonly logger = new Logger(ChangeBus.name);
  private readonly subscriptions = new Map<StreamName, Subscription[]>();
  /** Changes published while others were being delivered wait here, so every subscriber hears them in one order. */
  private readonly pending: Change[] = [];
  private delivering = false;

  constructor(private readonly tx: TransactionRunner) {}

  /** `name` says who failed in the log. Returns a function that ends the subscription. */
  subscribe<S extends StreamName>(
    streams: readonly S[],
    name: string,
    handler: ChangeHandler<S>,
    { background = false }: SubscribeOptions = {},
  ): () => void {
    const subscription: Subscription = {
      name,
      handler: handler as Subscription['handler'],
      background,
      active: true,
    };
    // Arrays are replaced, never changed, so a delivery under way keeps the list it started with.
    for (const stream of new Set(streams)) {
      this.subscriptions.set(stream, [...(this.subscriptions.get(stream) ?? []), subscription]);
    }
    return () => {
      subscription.active = false;
      for (const stream of new Set(streams)) {
        this.subscriptions.set(
          stream,
          (this.subscriptions.get(stream) ?? []).filter((s) => s !== subscription),
        );
      }
    };
  }

  /** Announces `change` once the transaction of `em` commits; never if it rolls back. */
  publishAfterCommit(em: EntityManager, change: Change): void {
    this.tx.afterCommit(em, () => this.publish(change));
  }

  /** Announces `change` now: for what is not written in a transaction, or has committed already. */
  publish(change: Change): void {
    this.pending.push(change);
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) this.deliver(next);
    } finally {
      this.delivering = false;
    }
  }

  private deliver(change: Change): void {
    for (const subscription of this.subscriptions.get(change.stream) ?? []) {
      if (subscription.background) setTimeout(() => this.hand(subscription, change), 0);
      else this.hand(subscription, change);
    }
  }

  private hand(subscription: Subscription, change: Change): void {
    if (!subscription.active) return;
    try {
      const done = subscription.handler(change);
      if (done) done.catch((error: unknown) => this.failed(subscription, change, error));
    } catch (error) {
      this.failed(subscription, change, error);
    }
  }

  private failed(subscription: Subscription, change: Change, error: unknown): void {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.logger.error(`${subscription.name} failed on a change to ${change.stream}: ${detail}`);
  }
}
