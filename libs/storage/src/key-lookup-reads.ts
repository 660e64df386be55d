import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import type { EntityManager } from 'typeorm';
import type { DatabaseEndpoint } from './database-endpoint';
import { KEY_LOOKUP_SETTINGS } from './prepared-statement';
import { queryRows } from './query-rows';

export const KEY_LOOKUP_ENDPOINT = Symbol('KEY_LOOKUP_ENDPOINT');

/** The key-lookup connections' session: KEY_LOOKUP_SETTINGS for every statement on them. */
const KEY_LOOKUP_SESSION = KEY_LOOKUP_SETTINGS.map(([name, value]) => `-c ${name}=${value}`).join(' ');
/** What PgBouncer answers a connection that names settings it does not track. */
const refusesSessionSettings = (error: unknown) =>
  error instanceof Error && /unsupported startup parameter/i.test(error.message);

/**
 * The URL with `settings` after whatever `options` it names already (the operator's own, such as a
 * statement timeout): pg takes a connection string's parameters over its config's, so settings
 * passed beside a URL that has `options` would be dropped without a word.
 */
function withSessionSettings(url: string, settings: string): string {
  const parsed = new URL(url);
  const own = parsed.searchParams.get('options');
  parsed.searchParams.set('options', own ? `${own} ${settings}` : settings);
  return parsed.toString();
}

/** Few: the reads that come here are gathered or shared across requests (a sync's head, activity and page). */
const KEY_LOOKUP_CONNECTIONS = 5;
/** A quiet server keeps its plans for a while; a closed connection only costs planning again. */
const IDLE_MS = 5 * 60_000;

/**
 * Hot reads outside any transaction whose every table access is by key, prepared and planned
 * once per connection instead of on every call. Outside a transaction PostgreSQL's default plan
 * cache mode keeps planning them for their values (a generic plan with an array parameter is
 * costed for ten elements, above a custom plan for one), and a transaction-local setting would
 * cost a BEGIN and a COMMIT round trip; so they run on a few connections of their own, whose
 * session settings force generic key-lookup plans. The embedded database has one session, shared
 * by every connection, so there they run as ordinary statements. So does a read inside a
 * transaction or on a held connection: it must see what that connection sees.
 */
@Injectable()
export class KeyLookupReads implements OnApplicationShutdown {
  private readonly logger = new Logger(KeyLookupReads.name);
  private readonly pool: Pool | undefined;
  private readonly names = new Map<string, string>();
  /** A pooler that takes no startup settings (PgBouncer without `options` in ignore_startup_parameters). */
  private refused = false;

  constructor(@Inject(KEY_LOOKUP_ENDPOINT) endpoint: Pick<DatabaseEndpoint, 'url' | 'embedded'>) {
    if (endpoint.embedded) return;
    this.pool = new Pool({
      connectionString: withSessionSettings(endpoint.url, KEY_LOOKUP_SESSION),
      max: KEY_LOOKUP_CONNECTIONS,
      idleTimeoutMillis: IDLE_MS,
      connectionTimeoutMillis: 30_000,
    });
    // An idle connection the server dropped: the pool replaces it at the next read; the outage itself is
    // reported by DatabaseAvailability when reads fail.
    this.pool.on('error', (error) => this.logger.debug(`a key-lookup connection closed: ${error.message}`));
  }

  async rows<T>(em: EntityManager, sql: string, values: unknown[]): Promise<T[]> {
    if (!this.pool || this.refused || em.queryRunner) return queryRows<T>(em, sql, values);
    try {
      return (await this.pool.query<T & object>({ name: this.nameOf(sql), text: sql, values })).rows;
    } catch (error) {
      if (!refusesSessionSettings(error)) throw error;
      this.refused = true;
      this.logger.warn(
        `the database (or a pooler in front of it) refuses session settings (${String(error)}); key lookups are planned on every read instead`,
      );
      return queryRows<T>(em, sql, values);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.end();
  }

  /** One name per statement text: each connection prepares it the first time it runs it. */
  private nameOf(sql: string): string {
    let name = this.names.get(sql);
    if (name === undefined) {
      name = `hearth_kl_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      this.names.set(sql, name);
    }
    return name;
  }
}
