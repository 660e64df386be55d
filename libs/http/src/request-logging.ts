import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export interface RequestLoggingOptions {
  /** Off by default: client IPs and user agents are metadata we do not keep unless asked to. */
  readonly logIpAddresses: boolean;
}

/** One line per request. Access tokens in query strings never reach the log. */
export function installRequestLogging(instance: FastifyInstance, logger: Logger, options: RequestLoggingOptions): void {
  instance.addHook('onResponse', async (request, reply) => {
    const entry: Record<string, unknown> = {
      method: request.method,
      // As the client sent it: an r0 path is logged as r0 although the v3 route served it.
      path: redactQuery(request.originalUrl),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (options.logIpAddresses) {
      entry.ip = request.ip;
      entry.userAgent = request.headers['user-agent'];
    }
    logger.info(entry, 'request');
  });
}

export function redactQuery(url: string): string {
  const [path, query] = url.split('?', 2);
  if (!query) return url;
  const params = new URLSearchParams(query);
  for (const key of [...params.keys()]) if (/token|password|secret/i.test(key)) params.set(key, '<redacted>');
  return `${path}?${params.toString()}`;
}
