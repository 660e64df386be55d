import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildConfig, type HearthConfig } from '@hearth/config';
import { startHomeserver, type RunningHomeserver } from '@hearth/homeserver';
import type { Clock } from '@hearth/sovereignty';
import { guardNestedConnections, type ConnectingPool } from '@hearth/storage';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface TestHomeserver {
  readonly url: string;
  readonly config: HearthConfig;
  readonly server: RunningHomeserver;
  /** Stops the server; the data folder and database stay for a restart until `destroy`. */
  stop(): Promise<void>;
  /** Starts a new server process-in-place on the same data folder and database. */
  restart(overrides?: Record<string, unknown>): Promise<TestHomeserver>;
  destroy(): Promise<void>;
}

export interface TestHomeserverOptions {
  /** Raw config keys (snake_case, as in hearth.yaml) on top of the test defaults. */
  readonly config?: Record<string, unknown>;
  readonly database?: TestDatabase;
  readonly dataDir?: string;
  /** The availability clock (tests across weekends and zones); the system clock otherwise. */
  readonly clock?: Clock;
}

/** Boots a real Hearth on an ephemeral loopback port, on its own database and data folder. */
export async function startTestHomeserver(options: TestHomeserverOptions = {}): Promise<TestHomeserver> {
  const database = options.database ?? (await createTestDatabase());
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-test-'));
  const raw: Record<string, unknown> = {
    server_name: 'hearth.test',
    listen: '127.0.0.1:0',
    data_dir: dataDir,
    log_level: process.env.HEARTH_TEST_LOG_LEVEL ?? 'silent',
    // Every test client shares 127.0.0.1; rate-limit tests set their own, lower limits.
    rate_limits: {
      login: { requests: 10_000, per_seconds: 60 },
      registration: { requests: 10_000, per_seconds: 60 },
      registration_token_validity: { requests: 10_000, per_seconds: 60 },
    },
    ...(database.url ? { database_url: database.url } : {}),
    ...options.config,
  };
  const config = buildConfig(raw);
  const server = await startHomeserver(config, options.clock ? { clock: options.clock } : {});
  if (database.url) guardPostgresPool(server);
  const stop = () => server.close();
  return {
    url: server.url,
    config,
    server,
    stop,
    restart: async (overrides = {}) => {
      await stop();
      return startTestHomeserver({ ...options, config: { ...options.config, ...overrides }, database, dataDir });
    },
    destroy: async () => {
      await stop();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The embedded database guards its one connection itself; on PostgreSQL the tests guard the pool
 * too, so that work asking for a second connection while it holds one fails here first.
 */
function guardPostgresPool(server: RunningHomeserver): void {
  const driver = server.app.get(DataSource).driver as unknown as { master: ConnectingPool };
  guardNestedConnections(driver.master, { strict: true });
}
