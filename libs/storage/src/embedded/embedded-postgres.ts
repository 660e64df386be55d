import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { EmbeddedChannels, NotifyingClient } from './embedded-channels';
import { lockDataDirectory, type DataDirectoryLock } from './data-directory-lock';
import { initializeInHelperProcess, isInitialized } from './initialize-data-directory';

export interface EmbeddedPostgres {
  /** A postgres:// URL the ordinary `pg` driver connects to. */
  readonly url: string;
  /** Stops the socket and the database; a second call waits for the first. */
  close(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Where the files live; undefined keeps the database in memory (tests without PostgreSQL). */
  readonly directory: string | undefined;
  /** Named in the refusal another process gets while this one holds the directory. */
  readonly purpose: string;
}

/**
 * PostgreSQL settings for the embedded database (PGlite writes them into the data directory's
 * postgresql.conf at every start). PostgreSQL's default 128 MB of shared buffers is most of the
 * embedded server's memory once touched, and WASM memory never shrinks; the small servers the
 * embedded default is for (a family, a team) keep their working set in 16 MB, and the operating
 * system still caches the files below it.
 */
const EMBEDDED_SETTINGS = ['shared_buffers = 16MB'];

/** The socket's name in its folder, as libpq and pg look for it (`host` the folder, port 5432). */
const SOCKET_NAME = '.s.PGSQL.5432';

/**
 * PGlite (Postgres compiled to WASM) served on a Unix socket, so the rest of Hearth uses the
 * same `pg` driver and SQL as with a real server. The socket lives in a folder of its own that
 * only this user may enter: the embedded database asks no password, and a loopback TCP port
 * would have let any local account connect to it.
 *
 * PGlite has ONE backend session, which every socket connection shares: named statements and
 * settings outlive the connection that made them, and two connections' extended-protocol
 * messages can interleave. So the pool keeps exactly one connection and resets the session
 * whenever it opens one ({@link embeddedPoolOptions}), and one process owns the directory.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { directory } = options;
  let lock: DataDirectoryLock | undefined;
  if (directory) {
    fs.mkdirSync(directory, { recursive: true });
    lock = lockDataDirectory(directory, options.purpose);
  }
  try {
    if (directory && !isInitialized(directory)) await initializeInHelperProcess(directory, EMBEDDED_SETTINGS);
    const db = await PGlite.create(directory, { postgresqlconf: EMBEDDED_SETTINGS });
    const socketFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-db-'));
    // Room for a closing connection and its successor (a migration run, then the app's pool).
    const server = new PGLiteSocketServer({ db, path: path.join(socketFolder, SOCKET_NAME), maxConnections: 4 });
    try {
      await server.start();
    } catch (error) {
      await db.close();
      fs.rmSync(socketFolder, { recursive: true, force: true });
      throw error;
    }
    let closing: Promise<void> | undefined;
    const close = async () => {
      try {
        await server.stop();
        await db.close();
      } finally {
        fs.rmSync(socketFolder, { recursive: true, force: true });
        lock?.release();
      }
    };
    return {
      url: `postgres://postgres@localhost/postgres?host=${encodeURIComponent(socketFolder)}`,
      close: () => (closing ??= close()),
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/**
 * Pool settings for the embedded database. The one connection is never closed for idling, and
 * a connection opened after a lost one starts with `DISCARD ALL`: otherwise the session still
 * holds the named statements the last connection prepared, and this connection's first Parse of
 * the same name fails with 42P05 "prepared statement already exists". Then it LISTENs on the
 * `channels` subscribed (EmbeddedChannels), as DISCARD ALL has UNLISTENed them.
 */
export function embeddedPoolOptions(channels?: EmbeddedChannels): Record<string, unknown> {
  return {
    max: 1,
    idleTimeoutMillis: 0,
    onConnect: async (client: NotifyingClient) => {
      await client.query('DISCARD ALL');
      await channels?.attach(client);
    },
  };
}
