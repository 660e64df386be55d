import type { FastifyInstance, FastifyRequest } from 'fastify';
import sjson from 'secure-json-parse';
import { MatrixError } from './matrix-error';

/**
 * Every request body is read as JSON whatever its Content-Type: clients in the wild omit or
 * mislabel it, and the mature servers parse anyway. Empty bodies stay `undefined` so each
 * endpoint decides whether it needs one. Keys such as `__proto__` are refused outright.
 */
export function installJsonBodyParser(instance: FastifyInstance, bodyLimit: number): void {
  instance.removeAllContentTypeParsers();
  const parse = (_req: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void) => {
    done(null, parseJsonBody(body));
  };
  instance.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, wrap(parse));
  instance.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, wrap(parse));
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    // secure-json-parse reports a forbidden key as a SyntaxError too; it is valid JSON we refuse.
    if (/forbidden/.test((error as Error).message)) throw MatrixError.badJson('Forbidden key in JSON body');
    throw MatrixError.notJson();
  }
}

function wrap(parse: (req: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void) => void) {
  return (req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    try {
      parse(req, typeof body === 'string' ? body : body.toString('utf8'), done);
    } catch (error) {
      done(error as Error);
    }
  };
}
