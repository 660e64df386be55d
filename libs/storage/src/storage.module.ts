import { type DynamicModule, Global, Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { guardNestedConnections, type ConnectingPool } from './connection-guard';
import type { DatabaseEndpoint } from './database-endpoint';
import { dataSourceOptions, type MigrationList } from './data-source-options';
import { claimDatabaseForServer } from './server-identity';
import { TransactionRunner } from './transaction-runner';
import { ChangeBus } from './change-bus';
import { DatabaseAvailability } from './database-availability';
import { DatabaseHealth } from './database-health';
import { PostgresNotifications } from './postgres-notifications';
import type { ConnectionLender } from './embedded/embedded-channels';
import { KEY_LOOKUP_ENDPOINT, KeyLookupReads } from './key-lookup-reads';

export interface StorageModuleOptions {
  readonly endpoint: DatabaseEndpoint;
  readonly migrations: MigrationList;
  readonly serverName: string;
}

const SERVER_NAME = Symbol('STORAGE_SERVER_NAME');
const GUARD_NESTED_CONNECTIONS = Symbol('GUARD_NESTED_CONNECTIONS');

/** Connects TypeORM to an already opened (and migrated) endpoint; entities come from each lib. */
@Global()
@Module({})
export class StorageModule implements OnApplicationBootstrap {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVER_NAME) private readonly serverName: string,
    @Inject(GUARD_NESTED_CONNECTIONS) private readonly guardNested: boolean,
  ) {}

  static forRoot(options: StorageModuleOptions): DynamicModule {
    return {
      module: StorageModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(options.endpoint, options.migrations),
          autoLoadEntities: true,
          retryAttempts: 0,
        }),
      ],
      providers: [
        TransactionRunner,
        ChangeBus,
        DatabaseHealth,
        DatabaseAvailability,
        {
          provide: PostgresNotifications,
          useFactory: (dataSource: DataSource) =>
            new PostgresNotifications(options.endpoint, () => requestPoolOf(dataSource)),
          inject: [DataSource],
        },
        { provide: KEY_LOOKUP_ENDPOINT, useValue: options.endpoint },
        KeyLookupReads,
        { provide: SERVER_NAME, useValue: options.serverName },
        { provide: GUARD_NESTED_CONNECTIONS, useValue: options.endpoint.embedded },
      ],
      exports: [
        TransactionRunner,
        ChangeBus,
        DatabaseHealth,
        DatabaseAvailability,
        PostgresNotifications,
        KeyLookupReads,
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    // The embedded database has one connection: a nested request for one would never return.
    // PostgreSQL's pool goes unguarded (the guard's async context costs every promise); the tests guard it.
    if (this.guardNested)
      guardNestedConnections((this.dataSource.driver as unknown as { master: ConnectingPool }).master, {
        strict: true,
      });
    await claimDatabaseForServer(this.dataSource, this.serverName);
  }
}

function requestPoolOf(dataSource: DataSource): ConnectionLender {
  return (dataSource.driver as unknown as { master: ConnectionLender }).master;
}
