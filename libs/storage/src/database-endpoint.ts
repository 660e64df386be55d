import * as path from 'node:path';
import { EmbeddedChannels } from './embedded/embedded-channels';
import { startEmbeddedPostgres } from './embedded/embedded-postgres';

export interface DatabaseEndpoint {
  readonly url: string;
  /** True for the embedded PGlite database: one connection, one process. */
  readonly embedded: boolean;
  /** LISTEN/NOTIFY for the embedded database, on its pool's one connection (absent for PostgreSQL). */
  readonly channels?: EmbeddedChannels;
  /** Releases what {@link openDatabaseEndpoint} started; call after every DataSource is destroyed. */
  close(): Promise<void>;
}

export interface DatabaseEndpointOptions {
  /** A PostgreSQL server to use; absent means the embedded database. */
  readonly databaseUrl?: string;
  /** Where the embedded database keeps its files; `undefined` keeps it in memory. */
  readonly embeddedDirectory?: string;
  /** What this process is (`hearth start`), named to another process that finds the embedded database taken. */
  readonly purpose: string;
}

export async function openDatabaseEndpoint(options: DatabaseEndpointOptions): Promise<DatabaseEndpoint> {
  if (options.databaseUrl) {
    return { url: options.databaseUrl, embedded: false, close: () => Promise.resolve() };
  }
  const embedded = await startEmbeddedPostgres({ directory: options.embeddedDirectory, purpose: options.purpose });
  return { url: embedded.url, embedded: true, channels: new EmbeddedChannels(), close: () => embedded.close() };
}

/** The embedded database lives in `<data_dir>/db`. */
export function embeddedDirectoryFor(dataDir: string): string {
  return path.join(dataDir, 'db');
}
