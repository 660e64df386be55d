import { type INestApplication, NotFoundException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { applyBodyLimit } from './body-limit';
import { enableMatrixCors } from './cors';
import { installJsonBodyParser } from './json-body-parser';
import { installRawBodyStreams } from './raw-body-stream';
import { MatrixExceptionFilter } from './matrix-exception.filter';
import { installRequestLogging, type RequestLoggingOptions } from './request-logging';
import { installRequestParamChecks } from './request-params';
import { RouteTable } from './route-table';

export interface HttpSurfaceOptions {
  readonly maxRequestBodyBytes: number;
  readonly logging: RequestLoggingOptions;
  /**
   * Lets another library name its own failures before they are answered (a saturated or
   * unreachable database is 503); it logs them too, as 503s are logged here at debug only.
   */
  readonly translateError?: (error: unknown) => unknown;
}

/**
 * Everything every endpoint shares: JSON bodies and their limits, checked path and query
 * parameters, CORS, the Matrix error model and request logs.
 * Must run before `app.init()`, so that the route table sees every route as it is registered.
 */
export function configureHttpSurface(app: INestApplication, logger: Logger, options: HttpSurfaceOptions): void {
  const instance = app.getHttpAdapter().getInstance() as FastifyInstance;
  const routes = new RouteTable();
  instance.addHook('onRoute', (route) => {
    routes.add(route.method, route.url);
    applyBodyLimit(route);
  });
  refuseUnmatchedBeforeParsing(instance);
  installJsonBodyParser(instance, options.maxRequestBodyBytes);
  installRawBodyStreams(instance);
  installRequestParamChecks(instance);
  installRequestLogging(instance, logger, options.logging);
  enableMatrixCors(app);
  app.useGlobalFilters(new MatrixExceptionFilter(routes, logger, options.translateError));
}

/**
 * A request no route matches is answered 404 M_UNRECOGNIZED (or 405) before its body is read:
 * otherwise an endpoint we do not serve (media upload) answered an image body with 400 M_NOT_JSON,
 * or 413 when large, and Hydrogen took that for a server fault and retried forever. preParsing
 * runs after every onRequest hook, so the 404 still carries the CORS headers browsers need to
 * read it; the unread body is discarded by Node.
 */
function refuseUnmatchedBeforeParsing(instance: FastifyInstance): void {
  instance.addHook('preParsing', (request, _reply, payload, done) => {
    if (request.is404) done(new NotFoundException());
    else done(null, payload);
  });
}
