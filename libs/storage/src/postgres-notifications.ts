import { randomUUID } from 'node:crypto';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Client, Pool } from 'pg';
import type { DatabaseEndpoint } from './database-endpoint';
import type { ChannelListener, ChannelSubscriber } from './channel-subscriber';
import type { ConnectionLender } from './embedded/embedded-channels';

/** How long a new connection may take to hear its own probe before it counts as failed. */
const PROBE_TIMEOUT_MS = 2_000;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 60_000;

/**
 * LISTEN on PostgreSQL channels, each on a connection of its own, for news that must not be
 * missed silently (Redis pub/sub only carries hints). A connection counts as live only after it
 * has heard a probe it sent itself: a proxy or server that accepts LISTEN without delivering
 * anything (PgBouncer in transaction mode) never goes live, and a lost connection reports so
 * before it is replaced. The embedded database, whose one session every connection shares,
 * delivers on the request pool's connection instead (EmbeddedChannels).
 */
export class PostgresNotifications implements OnApplicationShutdown {
  private readonly listeners = new Set<ChannelListener>();
  private readonly logger = new Logger(PostgresNotifications.name);
  /** One connection of its own for NOTIFY, opened at the first use: it never waits behind a busy request pool. */
  private notifier: Pool | undefined;

  /** `requestPool`: the embedded database's pool, whose one connection LISTENs there. */
  constructor(
    private readonly endpoint: Pick<DatabaseEndpoint, 'url' | 'embedded' | 'channels'>,
    private readonly requestPool?: () => ConnectionLender,
  ) {}

  /** `channel` must be a plain SQL identifier. */
  listen(channel: string, subscriber: ChannelSubscriber): ChannelListener {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`Not a channel name: ${channel}`);
    if (this.endpoint.embedded) {
      const { channels } = this.endpoint;
      if (channels && this.requestPool) return channels.subscribe(channel, subscriber, this.requestPool());
      return { close: () => Promise.resolve() };
    }
    const listener = new ChannelConnection(this.endpoint.url, channel, subscriber);
    this.listeners.add(listener);
    listener.start();
    return {
      close: async () => {
        this.listeners.delete(listener);
        await listener.close();
      },
    };
  }

  /**
   * NOTIFY outside any transaction, for hints that need not wait for a commit (a payload must stay
   * under PostgreSQL's 8,000 bytes). A failure is logged and dropped: receivers treat news as hints.
   */
  notify(channel: string, payload: string): void {
    if (this.endpoint.embedded) return;
    this.notifier ??= this.openNotifier();
    this.notifier
      .query('SELECT pg_notify($1, $2)', [channel, payload])
      .catch((error: unknown) => this.logger.warn(`NOTIFY ${channel} failed: ${String(error)}`));
  }

  private openNotifier(): Pool {
    const pool = new Pool({ connectionString: this.endpoint.url, max: 1 });
    // An idle connection that dies emits here; the next NOTIFY opens another.
    pool.on('error', (error: Error) => this.logger.debug(`NOTIFY connection lost: ${error.message}`));
    return pool;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.listeners].map((listener) => listener.close()));
    this.listeners.clear();
    await this.notifier
      ?.end()
      .catch((error: unknown) => this.logger.debug(`closing the NOTIFY pool: ${String(error)}`));
  }
}

class ChannelConnection implements ChannelListener {
  private readonly logger: Logger;
  private client: Client | undefined;
  private closed = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Set from a lost connection until one goes live again: the log says so once, not at every retry. */
  private failing = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly subscriber: ChannelSubscriber,
  ) {
    this.logger = new Logger(`PostgresNotifications ${channel}`);
  }

  start(): void {
    void this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch((error: unknown) => this.logger.debug(`closing the LISTEN connection: ${String(error)}`));
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.url });
    this.client = client;
    const probe = `probe:${randomUUID()}`;
    let heard: () => void = () => undefined;
    const probeHeard = new Promise<void>((resolve) => (heard = resolve));
    client.on('notification', ({ channel, payload }) => {
      if (channel !== this.channel || payload === undefined) return;
      if (payload === probe) heard();
      else this.subscriber.message(payload);
    });
    client.on('error', (error: Error) => this.lost(client, error.message));
    client.on('end', () => this.lost(client, 'connection closed'));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      await client.query('SELECT pg_notify($1, $2)', [this.channel, probe]);
      await within(probeHeard, PROBE_TIMEOUT_MS);
    } catch (error) {
      this.lost(client, error instanceof Error ? error.message : String(error));
      return;
    }
    if (this.client !== client) return;
    this.retryMs = RETRY_MIN_MS;
    if (this.failing) this.logger.log('Listening again');
    this.failing = false;
    this.subscriber.live(true);
  }

  private lost(client: Client, reason: string): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.subscriber.live(false);
    // The connection is already lost; ending it only frees the socket.
    client.end().catch((error: unknown) => this.logger.debug(`ending a lost LISTEN connection: ${String(error)}`));
    if (this.closed) return;
    const line = `Not listening (${reason}); retrying in ${this.retryMs / 1000} s`;
    if (this.failing) this.logger.debug(line);
    else this.logger.warn(line);
    this.failing = true;
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }
}

function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no notification within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
