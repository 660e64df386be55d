import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import { dataSourceOptions, runMigrations } from '@hearth/storage';
import { ALL_MIGRATIONS } from '@hearth/migrations';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface MigratedDatabase {
  readonly url: string;
  readonly dataSource: DataSource;
  /** Destroys the DataSource and drops the database. */
  close(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Entities = MixedList<Function | string | EntitySchema>;

/**
 * For a lib's spec: a fresh PostgreSQL database of its own with every migration applied, and a
 * DataSource over it that knows `entities`. Needs real PostgreSQL (LISTEN/NOTIFY, row locks
 * between connections), so it refuses the embedded fallback instead of testing something else.
 */
export async function openMigratedDatabase(
  entities: Entities = [],
  pool: { max?: number } = {},
): Promise<MigratedDatabase> {
  const database: TestDatabase = await createTestDatabase();
  const url = database.url;
  if (!url) {
    throw new Error('this spec needs PostgreSQL (HEARTH_TEST_POSTGRES_URL); the embedded database cannot stand in');
  }
  const endpoint = { url, embedded: false, close: () => Promise.resolve() };
  await runMigrations(endpoint, ALL_MIGRATIONS);
  const options = dataSourceOptions(endpoint, []);
  const dataSource = new DataSource({ ...options, entities, extra: { ...(options.extra as object), ...pool } });
  await dataSource.initialize();
  return {
    url,
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}
