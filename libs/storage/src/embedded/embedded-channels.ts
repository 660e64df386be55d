import { Logger } from '@nestjs/common';
import type { ChannelListener, ChannelSubscriber } from '../channel-subscriber';

/** The one pooled connection to the embedded database, as pg hands it to the pool's onConnect. */
export interface NotifyingClient {
  query(text: string): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  once(event: 'end' | 'error', listener: () => void): unknown;
}

/** What LISTENs for a channel subscribed while the connection is open: a checkout waits its turn. */
export interface ConnectionLender {
  connect(): Promise<{ query(text: string): Promise<unknown>; release(): void }>;
}

/**
 * LISTEN/NOTIFY on the embedded database. PGlite has one backend session, which every socket
 * connection shares, and one process owns it: a NOTIFY (the access-token triggers', say) comes
 * back to that session when its transaction commits, and PGlite sends it on the connection whose
 * statement committed it, which is the request pool's one connection. So the channels are
 * LISTENed on that connection whenever it opens ({@link attach}, from the pool's onConnect), and
 * what it hears goes to the subscribers, before the committing statement's own answer: a request
 * that revoked a token finds it forgotten when its COMMIT returns.
 */
export class EmbeddedChannels {
  private readonly logger = new Logger(EmbeddedChannels.name);
  private readonly subscribers = new Map<string, Set<ChannelSubscriber>>();
  private client: NotifyingClient | undefined;
  /** Channels LISTENed on the open connection. */
  private readonly listened = new Set<string>();

  /** For the pool's onConnect, after DISCARD ALL (which UNLISTENs): every channel subscribed so far. */
  async attach(client: NotifyingClient): Promise<void> {
    const channels = [...this.subscribers.keys()];
    for (const channel of channels) await client.query(`LISTEN ${channel}`);
    client.on('notification', ({ channel, payload }) => {
      if (payload === undefined) return;
      for (const subscriber of this.subscribers.get(channel) ?? []) subscriber.message(payload);
    });
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.listened.clear();
      for (const subscriber of this.allSubscribers()) subscriber.live(false);
    };
    client.once('end', lost);
    client.once('error', lost);
    this.client = client;
    this.listened.clear();
    for (const channel of channels) this.listened.add(channel);
    for (const channel of channels) this.reportLive(channel);
  }

  /** `channel` is a plain SQL identifier (PostgresNotifications checks it). */
  subscribe(channel: string, subscriber: ChannelSubscriber, lender: ConnectionLender): ChannelListener {
    const subscribers = this.subscribers.get(channel) ?? new Set();
    subscribers.add(subscriber);
    this.subscribers.set(channel, subscribers);
    if (this.listened.has(channel)) subscriber.live(true);
    else if (this.client) void this.listenNow(channel, lender);
    return {
      close: () => {
        subscribers.delete(subscriber);
        return Promise.resolve();
      },
    };
  }

  /** A channel new to an open connection: LISTENed when the connection is free, not inside someone's transaction. */
  private async listenNow(channel: string, lender: ConnectionLender): Promise<void> {
    try {
      const connection = await lender.connect();
      try {
        await connection.query(`LISTEN ${channel}`);
      } finally {
        connection.release();
      }
    } catch (error) {
      // The connection was lost meanwhile; the next one's attach LISTENs on every channel.
      this.logger.warn(`LISTEN ${channel} on the embedded database failed: ${String(error)}`);
      return;
    }
    // A connection opened meanwhile LISTENed in its attach, and reported it there.
    if (!this.client || this.listened.has(channel)) return;
    this.listened.add(channel);
    this.reportLive(channel);
  }

  private reportLive(channel: string): void {
    for (const subscriber of this.subscribers.get(channel) ?? []) subscriber.live(true);
  }

  private *allSubscribers(): Iterable<ChannelSubscriber> {
    for (const subscribers of this.subscribers.values()) yield* subscribers;
  }
}
