import 'reflect-metadata';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { HearthConfig } from '@hearth/config';
import { configureHttpSurface, createLogger, httpServerOptions, NestPinoLogger, type Logger } from '@hearth/http';
import { ALL_MIGRATIONS } from '@hearth/migrations';
import {
  DatabaseAvailability,
  embeddedDirectoryFor,
  openDatabaseEndpoint,
  runMigrations,
  type DatabaseEndpoint,
} from '@hearth/storage';
import type { Clock } from '@hearth/sovereignty';
import { AppModule } from './app.module';
import { drainConnectionsOnClose } from './connection-drain';
import { adminOperationsIn } from './control/admin-operations';
import { controlSocketPathFor, serveControlSocket, type ControlSocket } from './control/control-socket';
import { logStartUpSummary } from './start-up-summary';

export interface RunningHomeserver {
  /** Base URL of the client and federation listener, with the port actually bound. */
  readonly url: string;
  /** Base URL of the TLS federation listener, when `federation.listen` is set. */
  readonly federationUrl?: string;
  readonly app: NestFastifyApplication;
  /** Stops accepting, lets in-flight requests finish, then closes the database. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  /** Tests without PostgreSQL keep the embedded database in memory. */
  readonly embeddedInMemory?: boolean;
  /** Tests move time for the availability schedule; only code in this process can pass one. */
  readonly clock?: Clock;
}

export async function startHomeserver(config: HearthConfig, options: StartOptions = {}): Promise<RunningHomeserver> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const endpoint = await openDatabaseEndpoint({
    databaseUrl: config.databaseUrl,
    embeddedDirectory: options.embeddedInMemory ? undefined : embeddedDirectoryFor(config.dataDir),
    purpose: 'hearth start',
  });
  try {
    const applied = await runMigrations(endpoint, ALL_MIGRATIONS);
    if (applied.length > 0) logger.info({ migrations: applied }, 'applied database migrations');
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.register(config, endpoint, options.clock),
      new FastifyAdapter(httpServerOptions(config)),
      { logger: new NestPinoLogger(logger), bodyParser: false, abortOnError: false },
    );
    let tlsListener: https.Server | undefined;
    let controlSocket: ControlSocket | undefined;
    const drain = drainConnectionsOnClose(app);
    try {
      configureHttpSurface(app, logger, {
        maxRequestBodyBytes: config.maxRequestBodyBytes,
        logging: { logClientIps: config.privacy.logClientIps, logUserAgents: config.privacy.logUserAgents },
        translateError: app.get(DatabaseAvailability).translate,
      });
      await app.listen({ host: config.listen.host, port: config.listen.port });
      tlsListener = await listenForFederation(app, config);
      controlSocket = await serveAdminCommands(app, config, endpoint, options, logger);
    } catch (error) {
      if (tlsListener) await closeServer(tlsListener);
      await app
        .close()
        .catch((closeError: unknown) => logger.warn(`closing after a failed start: ${String(closeError)}`));
      throw error;
    }
    const url = listeningUrl(app.getHttpServer().address());
    const federationUrl = tlsListener ? listeningUrl(tlsListener.address(), 'https') : undefined;
    await logStartUpSummary(app, config, logger, { url, ...(federationUrl ? { federationUrl } : {}) });
    return {
      url,
      ...(federationUrl ? { federationUrl } : {}),
      app,
      close: once(async () => {
        drain.start();
        await controlSocket?.close();
        if (tlsListener) await closeServer(tlsListener);
        await app.close();
        await endpoint.close();
      }),
    };
  } catch (error) {
    await endpoint
      .close()
      .catch((closeError: unknown) => logger.warn(`closing the database after a failed start: ${String(closeError)}`));
    throw error;
  }
}

/**
 * A server that owns an embedded database is the only process that may open it, so `hearth admin`
 * commands reach the database through it, over a socket in the data folder.
 */
async function serveAdminCommands(
  app: NestFastifyApplication,
  config: HearthConfig,
  endpoint: DatabaseEndpoint,
  options: StartOptions,
  logger: Logger,
): Promise<ControlSocket | undefined> {
  if (!endpoint.embedded || options.embeddedInMemory) return undefined;
  return serveControlSocket(controlSocketPathFor(config.dataDir), adminOperationsIn(app), logger);
}

/**
 * `federation.listen`: the same routes over TLS, for servers reached directly on 8448 rather
 * than through a TLS reverse proxy. One Fastify instance serves both Node servers.
 */
async function listenForFederation(
  app: NestFastifyApplication,
  config: HearthConfig,
): Promise<https.Server | undefined> {
  const { listen, tls } = config.federation;
  if (!listen || !tls) return undefined;
  const fastify = app.getHttpAdapter().getInstance();
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (request, reply) =>
    fastify.routing(request, reply),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

async function closeServer(server: https.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Peers' long-polls and slow requests get a grace period, then their connections are cut.
  const cut = setTimeout(() => server.closeAllConnections(), 5000);
  await closed;
  clearTimeout(cut);
}

function listeningUrl(address: AddressInfo | string | null, scheme = 'http'): string {
  if (!address || typeof address === 'string') throw new Error('listener has no TCP address');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${scheme}://${host}:${address.port}`;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
