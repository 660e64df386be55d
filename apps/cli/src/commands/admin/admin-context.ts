import * as fs from 'node:fs';
import { type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AccountsModule } from '@hearth/accounts';
import { ConfigModule, type HearthConfig } from '@hearth/config';
import { adminOperationsIn, controlSocketClient, controlSocketPathFor, type AdminOperations } from '@hearth/homeserver';
import { RateLimitModule } from '@hearth/http';
import { SigningModule } from '@hearth/signing';
import { ALL_MIGRATIONS } from '@hearth/migrations';
import {
  EmbeddedDatabaseInUseError,
  embeddedDirectoryFor,
  openDatabaseEndpoint,
  readLockOwner,
  runMigrations,
  StorageModule,
  type DatabaseEndpoint,
} from '@hearth/storage';

@Module({})
class AdminModule {
  static register(config: HearthConfig, endpoint: DatabaseEndpoint): DynamicModule {
    return {
      module: AdminModule,
      imports: [
        ConfigModule.forRoot(config),
        StorageModule.forRoot({ endpoint, migrations: ALL_MIGRATIONS, serverName: config.serverName }),
        RateLimitModule,
        SigningModule,
        AccountsModule,
      ],
    };
  }
}

/**
 * Runs an admin task where the database is. With PostgreSQL, or an embedded database no process
 * holds, this process opens it; an embedded database that a running server holds belongs to
 * that server alone, so the task goes to the server over its control socket.
 */
export async function withAdminOperations<T>(config: HearthConfig, task: (operations: AdminOperations) => Promise<T>): Promise<T> {
  if (!config.databaseUrl) {
    const directory = embeddedDirectoryFor(config.dataDir);
    const owner = readLockOwner(directory);
    if (owner) {
      const socketPath = controlSocketPathFor(config.dataDir);
      if (!fs.existsSync(socketPath)) throw new EmbeddedDatabaseInUseError(directory, owner);
      return task(controlSocketClient(socketPath));
    }
  }
  return withOwnDatabase(config, (operations) => task(operations));
}

async function withOwnDatabase<T>(config: HearthConfig, task: (operations: AdminOperations) => Promise<T>): Promise<T> {
  const endpoint = await openDatabaseEndpoint({
    databaseUrl: config.databaseUrl,
    embeddedDirectory: embeddedDirectoryFor(config.dataDir),
    purpose: 'hearth admin',
  });
  try {
    await runMigrations(endpoint, ALL_MIGRATIONS);
    const app = await NestFactory.createApplicationContext(AdminModule.register(config, endpoint), { logger: false, abortOnError: false });
    try {
      await app.init();
      return await task(adminOperationsIn(app));
    } finally {
      await app.close();
    }
  } finally {
    await endpoint.close();
  }
}
