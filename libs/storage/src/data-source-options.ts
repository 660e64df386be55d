import type { DataSourceOptions, MixedList } from 'typeorm';
import type { DatabaseEndpoint } from './database-endpoint';
import { embeddedPoolOptions } from './embedded/embedded-postgres';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type MigrationList = MixedList<Function>;

/** One place that turns an endpoint into TypeORM options; synchronize is never on. */
export function dataSourceOptions(
  endpoint: Pick<DatabaseEndpoint, 'url' | 'embedded' | 'channels'>,
  migrations: MigrationList,
): DataSourceOptions {
  return {
    type: 'postgres',
    url: endpoint.url,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    // A burst waits its turn for a connection this long before it is answered 503 (DatabaseBusyError).
    extra: {
      ...(endpoint.embedded ? embeddedPoolOptions(endpoint.channels) : { max: 10 }),
      connectionTimeoutMillis: 30_000,
    },
  };
}
