import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { HearthConfig } from '@hearth/config';
import { createLogger, NestPinoLogger, type Logger } from '@hearth/http';
import { ALL_MIGRATIONS } from '@hearth/migrations';
import { openDatabaseEndpoint, runMigrations } from '@hearth/storage';
import { AppModule } from './app.module';

export interface RunningWorker {
  readonly app: INestApplicationContext;
  /** Lets running deliveries finish their transaction, then closes the queue and the database. Idempotent. */
  close(): Promise<void>;
}

/**
 * `hearth worker`: the homeserver's modules without an HTTP listener, consuming the delivery
 * queue. It shares PostgreSQL and Redis with the `hearth start` processes, so both are required.
 */
export async function startWorker(config: HearthConfig, options: { logger?: Logger } = {}): Promise<RunningWorker> {
  if (!config.databaseUrl || !config.redisUrl)
    throw new Error('hearth worker needs DATABASE_URL and REDIS_URL: it shares them with the API processes');
  const logger = options.logger ?? createLogger(config.logLevel);
  const endpoint = await openDatabaseEndpoint({ databaseUrl: config.databaseUrl, purpose: 'hearth worker' });
  try {
    await runMigrations(endpoint, ALL_MIGRATIONS);
    const workerConfig: HearthConfig = { ...config, delivery: { ...config.delivery, consume: true } };
    const app = await NestFactory.createApplicationContext(AppModule.register(workerConfig, endpoint), {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
    });
    logger.info({ serverName: config.serverName }, 'hearth worker is consuming the delivery queue');
    let closing: Promise<void> | undefined;
    return {
      app,
      close: () =>
        (closing ??= (async () => {
          await app.close();
          await endpoint.close();
        })()),
    };
  } catch (error) {
    await endpoint
      .close()
      .catch((closeError: unknown) => logger.warn(`closing the database after a failed start: ${String(closeError)}`));
    throw error;
  }
}
