import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { HearthConfig } from '@hearth/config';
import { configureHttpSurface, createLogger, NestPinoLogger, type Logger } from '@hearth/http';
import { ALL_MIGRATIONS } from '@hearth/migrations';
import { embeddedDirectoryFor, openDatabaseEndpoint, runMigrations } from '@hearth/storage';
import { AppModule } from './app.module';

export interface RunningHomeserver {
  /** Base URL of the client and federation listener, with the port actually bound. */
  readonly url: string;
  readonly app: NestFastifyApplication;
  /** Stops accepting, lets in-flight requests finish, then closes the database. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  /** Tests without PostgreSQL keep the embedded database in memory. */
  readonly embeddedInMemory?: boolean;
}

export async function startHomeserver(config: HearthConfig, options: StartOptions = {}): Promise<RunningHomeserver> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const endpoint = await openDatabaseEndpoint({
    databaseUrl: config.databaseUrl,
    embeddedDirectory: options.embeddedInMemory ? undefined : embeddedDirectoryFor(config.dataDir),
  });
  try {
    const applied = await runMigrations(endpoint, ALL_MIGRATIONS);
    if (applied.length > 0) logger.info({ migrations: applied }, 'applied database migrations');
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.register(config, endpoint),
      // Clients call both /pushrules/ and /pushrules: paths match with or without a trailing slash.
      new FastifyAdapter({ bodyLimit: config.maxRequestBodyBytes, logger: false, return503OnClosing: true, trustProxy: config.trustProxy, routerOptions: { ignoreTrailingSlash: true } }),
      { logger: new NestPinoLogger(logger), bodyParser: false, abortOnError: false },
    );
    try {
      configureHttpSurface(app, logger, config);
      await app.listen({ host: config.listen.host, port: config.listen.port });
    } catch (error) {
      await app.close().catch(() => undefined);
      throw error;
    }
    const url = listeningUrl(app);
    logger.info({ url, serverName: config.serverName, embeddedDatabase: endpoint.embedded }, 'hearth is listening');
    return { url, app, close: once(async () => {
      await app.close();
      await endpoint.close();
    }) };
  } catch (error) {
    await endpoint.close().catch(() => undefined);
    throw error;
  }
}

function listeningUrl(app: NestFastifyApplication): string {
  const address = app.getHttpServer().address();
  if (!address || typeof address === 'string') throw new Error('listener has no TCP address');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
