export { DatabaseHealth } from './database-health';
export { embeddedDirectoryFor, openDatabaseEndpoint, type DatabaseEndpoint, type DatabaseEndpointOptions } from './database-endpoint';
export { dataSourceOptions, type MigrationList } from './data-source-options';
export { runMigrations } from './run-migrations';
export { claimDatabaseForServer, ServerIdentityMismatchError } from './server-identity';
export { StorageModule, type StorageModuleOptions } from './storage.module';
export { TransactionRunner } from './transaction-runner';
export { preparedStatement, queryPrepared, type PreparedStatement } from './prepared-statement';
export { readStreamPositions } from './stream-positions';
