import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import sjson from 'secure-json-parse';
import { jsonTextNeedsLimitCheck, unstorableJsonReason } from '@hearth/protocol';
import { bodyRulesOf } from './body-limit';
import { MatrixError } from './matrix-error';
import { readBodyText } from './read-body-text';

/**
 * Every request body is read as JSON whatever its Content-Type: clients in the wild omit or
 * mislabel it, and the mature servers parse anyway. Empty bodies stay `undefined` so each
 * endpoint decides whether it needs one. Keys such as `__proto__` are refused outright, and so
 * is JSON nested too deep or holding strings PostgreSQL cannot store (U+0000, lone surrogates):
 * here, once, rather than as a 500 from whichever table an endpoint writes.
 *
 * Routes marked `@RawBodyStream()` (media uploads) get the unread body stream instead, whatever
 * its type: they stream it to storage themselves, with their own limit.
 */
export function installJsonBodyParser(instance: FastifyInstance, bodyLimit: number): void {
  instance.removeAllContentTypeParsers();
  const parse = async (req: FastifyRequest, payload: Readable): Promise<unknown> => {
    const rules = bodyRulesOf(req.routeOptions.config);
    if (rules?.rawStream) return payload;
    const text = await readBodyText(payload, req.headers['content-length'], req.routeOptions.bodyLimit ?? bodyLimit);
    return parseJsonBody(text, {
      checkStrings: !rules?.stringsCheckedByHandler,
      ...(rules?.maxDepth ? { maxDepth: rules.maxDepth } : {}),
    });
  };
  instance.addContentTypeParser('application/json', parse);
  instance.addContentTypeParser('*', parse);
}

export interface ParseJsonOptions {
  /** Off only where the handler checks strings item by item (see BodyRules.stringsCheckedByHandler). */
  readonly checkStrings?: boolean;
  /** Default MAX_JSON_DEPTH. */
  readonly maxDepth?: number;
}

export function parseJsonBody(text: string, options: ParseJsonOptions = {}): unknown {
  if (text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    // secure-json-parse reports a forbidden key as a SyntaxError too; it is valid JSON we refuse.
    if (/forbidden/.test((error as Error).message)) throw MatrixError.badJson('Forbidden key in JSON body');
    throw MatrixError.notJson();
  }
  const needs = jsonTextNeedsLimitCheck(text, options.maxDepth);
  const strings = needs.strings && options.checkStrings !== false;
  const reason =
    strings || needs.depth
      ? unstorableJsonReason(parsed, { strings, ...(options.maxDepth ? { maxDepth: options.maxDepth } : {}) })
      : undefined;
  if (reason !== undefined) throw MatrixError.badJson(reason);
  return parsed;
}

/** JSON in a query parameter (`filter` on /sync and /messages): a body's limits, answered 400 M_INVALID_PARAM. */
export function parseJsonParam(text: string, name: string): unknown {
  try {
    return parseJsonBody(text);
  } catch (error) {
    if (error instanceof MatrixError && error.errcode === 'M_BAD_JSON')
      throw MatrixError.invalidParam(`${name}: ${error.message}`);
    throw MatrixError.invalidParam(`${name} is not valid JSON`);
  }
}
