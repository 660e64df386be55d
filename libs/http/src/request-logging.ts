import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/** Both off by default: client addresses and user agents are metadata we do not keep unless asked to. */
export interface RequestLoggingOptions {
  readonly logClientIps: boolean;
  readonly logUserAgents: boolean;
}

/** One line per request. Access tokens in query strings never reach the log. */
export function installRequestLogging(instance: FastifyInstance, logger: Logger, options: RequestLoggingOptions): void {
  instance.addHook('onResponse', (request, reply, done) => {
    // Off below info (the default for busy servers): nothing to build for every answer.
    if (!logger.isLevelEnabled('info')) return done();
    const entry: Record<string, unknown> = {
      method: request.method,
      // As the client sent it: an r0 path is logged as r0 although the v3 route served it.
      path: redactQuery(request.originalUrl),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (options.logClientIps) entry.ip = request.ip;
    if (options.logUserAgents) entry.userAgent = request.headers['user-agent'];
    logger.info(entry, 'request');
    done();
  });
}

export function redactQuery(url: string): string {
  const [path, query] = url.split('?', 2);
  if (!query) return url;
  const params = new URLSearchParams(query);
  for (const key of [...params.keys()]) if (/token|password|secret/i.test(key)) params.set(key, '<redacted>');
  return `${path}?${params.toString()}`;
}
