import * as fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** A postgres:// URL the ordinary `pg` driver connects to. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * PGlite (Postgres compiled to WASM) served on a loopback socket, so the rest of Hearth uses
 * the same `pg` driver and SQL as with a real server. PGlite is single-connection: the server
 * queues clients, and callers must keep their pool at one connection so that a transaction
 * is never interleaved with another client's statements.
 *
 * `directory` undefined keeps the database in memory (tests without PostgreSQL).
 */
export async function startEmbeddedPostgres(directory: string | undefined): Promise<EmbeddedPostgres> {
  if (directory) fs.mkdirSync(directory, { recursive: true });
  const db = await PGlite.create(directory);
  // Room for a closing connection and its successor (a migration run, then the app's pool); the
  // server still runs one query at a time.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
