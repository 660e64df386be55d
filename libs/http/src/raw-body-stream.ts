import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bodyRulesOf } from './body-limit';

const declaredTypes = new WeakMap<FastifyRequest['raw'], string | undefined>();

/**
 * What raw-stream routes (media uploads) need from the HTTP surface besides the stream itself:
 *
 * - Their Content-Type is the upload's, not a body format: Fastify refuses a header it cannot
 *   parse before any route sees it, so the declared one is set aside (`declaredContentType`) and
 *   parsing goes by application/octet-stream.
 * - One refused before its body was read (too large, bad token, unknown media ID) closes the
 *   connection after the answer: otherwise Node reads and discards every byte the client still
 *   sends (half a gigabyte, perhaps) to keep the connection alive.
 */
export function installRawBodyStreams(instance: FastifyInstance): void {
  instance.addHook('onRequest', (request, _reply, done) => {
    if (bodyRulesOf(request.routeOptions.config)?.rawStream) {
      declaredTypes.set(request.raw, request.headers['content-type']);
      request.headers['content-type'] = 'application/octet-stream';
    }
    done();
  });
  instance.addHook('onSend', (request, reply, payload, done) => {
    if (bodyRulesOf(request.routeOptions.config)?.rawStream && !request.raw.complete)
      reply.header('connection', 'close');
    done(null, payload);
  });
}

/** The Content-Type the client sent with a raw-stream body, as sent (absent when none). */
export function declaredContentType(request: FastifyRequest): string | undefined {
  return declaredTypes.has(request.raw) ? declaredTypes.get(request.raw) : request.headers['content-type'];
}
