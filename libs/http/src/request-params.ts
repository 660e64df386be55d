import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isStorableString } from '@hearth/protocol';
import { MatrixError } from './matrix-error';

/**
 * Spec "Size limits" and the identifier grammars: user IDs, room IDs and aliases, event IDs,
 * event types and state keys are at most 255 bytes, and no path parameter we serve is anything
 * else (transaction IDs and push rule IDs have no specced limit; 255 bytes is far beyond what
 * clients send).
 */
export const MAX_PATH_PARAM_BYTES = 255;

/**
 * The router's own limit, in characters: high enough that a 255-byte identifier fits however it
 * is percent-encoded (find-my-way measures decoded parameters today; three characters a byte
 * covers the encoded form too), so that the byte limit below, not Fastify's own 414, decides.
 */
export const ROUTER_MAX_PARAM_LENGTH = 3 * MAX_PATH_PARAM_BYTES;

/**
 * Path and query parameters reach SQL as text, which cannot hold U+0000 (`%00`); a parameter
 * that could not name anything we hold is refused before any endpoint or the database sees it.
 */
export function installRequestParamChecks(instance: FastifyInstance): void {
  instance.addHook('onRequest', (request, _reply, done) => {
    const problem = paramProblem(request.params) ?? queryProblem(request.query);
    done(problem ? MatrixError.invalidParam(problem) : undefined);
  });
}

function paramProblem(params: unknown): string | undefined {
  if (typeof params !== 'object' || params === null) return undefined;
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== 'string') continue;
    if (!isStorableString(value)) return `${name} may not contain U+0000 or unpaired surrogates`;
    // `*` is the not-found handler's whole path, answered 404 or 405 whatever its length.
    if (name !== '*' && Buffer.byteLength(value, 'utf8') > MAX_PATH_PARAM_BYTES)
      return `${name} is longer than ${MAX_PATH_PARAM_BYTES} bytes`;
  }
  return undefined;
}

function queryProblem(query: unknown): string | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  for (const [name, value] of Object.entries(query)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (!isStorableString(name) || values.some((v) => typeof v === 'string' && !isStorableString(v))) {
      return `query parameter ${JSON.stringify(name.replace(/\0/g, ''))} may not contain U+0000 or unpaired surrogates`;
    }
  }
  return undefined;
}

/**
 * Fastify answers a few failures before any route or hook runs (a path that is not valid
 * percent-encoded UTF-8, such as an encoded lone surrogate; a parameter beyond the router's
 * limit) with its own body. These become Matrix errors too; CORS headers are set by hand, as
 * the CORS hook has not run.
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const matrix =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? MatrixError.invalidParam(`A path parameter is longer than ${MAX_PATH_PARAM_BYTES} bytes`)
      : error.code === 'FST_ERR_BAD_URL'
        ? MatrixError.invalidParam('The path is not valid percent-encoded UTF-8')
        : new MatrixError(
            error.statusCode && error.statusCode < 500 ? error.statusCode : 400,
            'M_UNKNOWN',
            'Bad request',
          );
  void reply.status(matrix.status).header('access-control-allow-origin', '*').send(matrix.toBody());
}
