import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Once started, ends every connection as soon as its answer is written. Node's `server.close()`
 * ends only the connections idle at that moment: one still answering (a file whose last bytes
 * the client already has, a long-poll) goes back to keep-alive when its answer is done, and the
 * close waits for it until the keep-alive timeout, Fastify's 72 s. Both listeners route through
 * the one Fastify instance, so this covers the TLS federation listener too.
 */
export function drainConnectionsOnClose(app: NestFastifyApplication): { start(): void } {
  let draining = false;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, _reply, done) => {
      // Written and flushed: ending the socket now loses nothing of the answer.
      if (draining) request.raw.socket.destroySoon();
      done();
    });
  return {
    start: () => {
      draining = true;
    },
  };
}
