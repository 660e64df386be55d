import * as fs from 'node:fs';
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AccountsModule } from '@hearth/accounts';
import { ConfigModule, type HearthConfig } from '@hearth/config';
import { NO_FEDERATION_E2EE, REMOTE_E2EE } from '@hearth/e2ee';
import { adminOperationsIn, controlSocketClient, controlSocketPathFor, type AdminOperations } from '@hearth/homeserver';
import { RateLimitModule } from '@hearth/http';
import { SigningModule } from '@hearth/signing';
import { AvailabilityModule, ExportModule } from '@hearth/sovereignty';
import { ALL_MIGRATIONS } from '@hearth/migrations';
import {
  INVITE_COUNTERSIGNER,
  NO_FEDERATION_INVITES,
  NO_FEDERATION_MEMBERSHIP,
  NO_FEDERATION_OUTBOX,
  OUTBOX_PORT,
  REMOTE_MEMBERSHIP,
} from '@hearth/rooms';
import {
  EmbeddedDatabaseInUseError,
  embeddedDirectoryFor,
  openDatabaseEndpoint,
  readLockOwner,
  runMigrations,
  StorageModule,
  type DatabaseEndpoint,
} from '@hearth/storage';

/**
 * Admin tasks (users, registration tokens) run without federation: the ports that rooms and e2ee
 * need of it are bound to implementations that record nothing for other servers and ask them
 * nothing, deliberately rather than left unbound.
 */
@Global()
@Module({
  providers: [
    { provide: OUTBOX_PORT, useValue: NO_FEDERATION_OUTBOX },
    { provide: INVITE_COUNTERSIGNER, useValue: NO_FEDERATION_INVITES },
    { provide: REMOTE_MEMBERSHIP, useValue: NO_FEDERATION_MEMBERSHIP },
    { provide: REMOTE_E2EE, useValue: NO_FEDERATION_E2EE },
  ],
  exports: [OUTBOX_PORT, INVITE_COUNTERSIGNER, REMOTE_MEMBERSHIP, REMOTE_E2EE],
})
class NoFederationPortsModule {}

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
        NoFederationPortsModule,
        AccountsModule,
        AvailabilityModule,
        ExportModule,
      ],
    };
  }
}

/**
 * Runs an admin task where the database is. With PostgreSQL, or an embedded database no process
 * holds, this process opens it; an embedded database that a running server holds belongs to
 * that server alone, so the task goes to the server over its control socket.
 */
export async function withAdminOperations<T>(
  config: HearthConfig,
  task: (operations: AdminOperations) => Promise<T>,
): Promise<T> {
  if (!config.databaseUrl) {
    const directory = embeddedDirectoryFor(config.dataDir);
    const owner = readLockOwner(directory);
    if (owner) {
      const socketPath = controlSocketPathFor(config.dataDir);
      if (!fs.existsSync(socketPath)) throw new EmbeddedDatabaseInUseError(directory, owner);
      return task(controlSocketClient(socketPath));
    }
  }
  return withOwnDatabase(config, task);
}

async function withOwnDatabase<T>(config: HearthConfig, task: (operations: AdminOperations) => Promise<T>): Promise<T> {
  const endpoint = await openDatabaseEndpoint({
    databaseUrl: config.databaseUrl,
    embeddedDirectory: embeddedDirectoryFor(config.dataDir),
    purpose: 'hearth admin',
  });
  try {
    await runMigrations(endpoint, ALL_MIGRATIONS);
    const app = await NestFactory.createApplicationContext(AdminModule.register(config, endpoint), {
      logger: false,
      abortOnError: false,
    });
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
