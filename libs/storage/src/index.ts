export { DatabaseHealth } from './database-health';
export { EmbeddedDatabaseInUseError, readLockOwner, type LockOwner } from './embedded/data-directory-lock';
export {
  embeddedDirectoryFor,
  openDatabaseEndpoint,
  type DatabaseEndpoint,
  type DatabaseEndpointOptions,
} from './database-endpoint';
export { dataSourceOptions, type MigrationList } from './data-source-options';
export { runMigrations } from './run-migrations';
export { claimDatabaseForServer, ServerIdentityMismatchError } from './server-identity';
export { StorageModule, type StorageModuleOptions } from './storage.module';
export { readBoth, TransactionRunner } from './transaction-runner';
export { ChangeBus, type Change, type ChangeHandler } from './change-bus';
export type {
  ChangeStreams,
  DeviceChange,
  NoPayload,
  PresenceChange,
  ReceiptChange,
  StreamName,
  TypingChange,
  TypingPayload,
} from './change-streams';
export { busyIfPoolExhausted, DatabaseBusyError } from './database-busy';
export { DatabaseAvailability, DatabaseUnavailableError, isConnectionFailure } from './database-availability';
export { preparedStatement, queryPrepared, queryPreparedAndCommit, type PreparedStatement } from './prepared-statement';
export { readStreamPositions } from './stream-positions';
export { queryRows } from './query-rows';
export { KeyLookupReads } from './key-lookup-reads';
export { RedisBroadcast } from './redis-broadcast';
export { connectRedis } from './redis-client';
export { type ChannelListener, type ChannelSubscriber } from './channel-subscriber';
export { PostgresNotifications } from './postgres-notifications';
export { foldedWords, foldedWordsSql, foldSql, foldTerm } from './text-folding';
export { guardNestedConnections, NestedConnectionError, type ConnectingPool } from './connection-guard';
