import type { HearthConfig } from '@hearth/config';
import { ALL_MIGRATIONS } from '@hearth/migrations';
import { embeddedDirectoryFor, openDatabaseEndpoint, runMigrations } from '@hearth/storage';

/** `hearth migrate`: apply pending migrations and exit (start does this too). */
export async function migrateCommand(config: HearthConfig): Promise<void> {
  const endpoint = await openDatabaseEndpoint({
    databaseUrl: config.databaseUrl,
    embeddedDirectory: embeddedDirectoryFor(config.dataDir),
    purpose: 'hearth migrate',
  });
  try {
    const applied = await runMigrations(endpoint, ALL_MIGRATIONS);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await endpoint.close();
  }
}
