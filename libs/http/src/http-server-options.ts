import type { FastifyServerOptions } from 'fastify';
import { rewriteLegacyClientPath } from './legacy-client-paths';
import { answerFrameworkError, ROUTER_MAX_PARAM_LENGTH } from './request-params';

export interface HttpServerSettings {
  /** The body limit of routes that declare none (`max_request_body_bytes`). */
  readonly maxRequestBodyBytes: number;
  readonly trustProxy: boolean;
}

/** The Fastify instance's own options (for `new FastifyAdapter(...)`), kept beside the rest of the HTTP surface. */
export function httpServerOptions(settings: HttpServerSettings): FastifyServerOptions {
  return {
    bodyLimit: settings.maxRequestBodyBytes,
    logger: false,
    return503OnClosing: true,
    trustProxy: settings.trustProxy,
    frameworkErrors: answerFrameworkError,
    // Clients call both /pushrules/ and /pushrules: paths match with or without a trailing slash.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: ROUTER_MAX_PARAM_LENGTH },
    // Older clients call /_matrix/client/r0/...: served by the v3 routes.
    rewriteUrl: (request) => rewriteLegacyClientPath(request.url ?? '/'),
  };
}
