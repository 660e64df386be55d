import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DatabaseEndpoint } from './database-endpoint';
import { dataSourceOptions, type MigrationList } from './data-source-options';

/** Arbitrary but fixed: every Hearth process migrating one database takes the same lock. */
const MIGRATION_LOCK_ID = 0x4845_4152; // "HEAR"

/**
 * Applies pending migrations, each in its own transaction. Several processes may start at
 * once against one PostgreSQL, so they queue on an advisory lock; the embedded database is
 * used by one process only and its single connection cannot hold a lock beside the migration.
 */
export async function runMigrations(endpoint: DatabaseEndpoint, migrations: MigrationList): Promise<string[]> {
  const options = dataSourceOptions(endpoint, migrations);
  // The lock holds one connection while the migrations run on another.
  const dataSource = new DataSource(
    endpoint.embedded ? options : { ...options, extra: { ...(options.extra as object), max: 2 } },
  );
  await dataSource.initialize();
  try {
    if (endpoint.embedded) return await applyPending(dataSource);
    const lock = dataSource.createQueryRunner();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
      return await applyPending(dataSource);
    } finally {
      // The lock also ends with the session, which release() below closes.
      await lock
        .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID])
        .catch((error: unknown) => new Logger('Migrations').warn(`unlocking: ${String(error)}`));
      await lock.release();
    }
  } finally {
    await dataSource.destroy();
  }
}

async function applyPending(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((migration) => migration.name);
}
