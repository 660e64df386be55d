import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AccountsModule } from '@hearth/accounts';
import { ConfigModule, type HearthConfig } from '@hearth/config';
import { RateLimitModule } from '@hearth/http';
import { SigningModule } from '@hearth/signing';
import { ALL_MIGRATIONS } from '@hearth/migrations';
import { embeddedDirectoryFor, openDatabaseEndpoint, runMigrations, StorageModule, type DatabaseEndpoint } from '@hearth/storage';

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
 * Runs an admin task against the database without the HTTP server. With the embedded database
 * the homeserver must be stopped first: PGlite's data folder belongs to one process.
 */
export async function withAdminContext<T>(config: HearthConfig, task: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const endpoint = await openDatabaseEndpoint({ databaseUrl: config.databaseUrl, embeddedDirectory: embeddedDirectoryFor(config.dataDir) });
  try {
    await runMigrations(endpoint, ALL_MIGRATIONS);
    const app = await NestFactory.createApplicationContext(AdminModule.register(config, endpoint), { logger: false, abortOnError: false });
    try {
      await app.init();
      return await task(app);
    } finally {
      await app.close();
    }
  } finally {
    await endpoint.close();
  }
}
