import { ProtocolError } from './errors';

/**
 * The deepest nesting of arrays and objects we accept in any JSON from outside (the top-level
 * value is depth 1). The spec sets none; serde_json, which the Conduit family parses every
 * request and transaction with, stops at 128, so nothing deeper federates to them anyway, and
 * real Matrix JSON stays under a dozen. Our own recursive walks (canonical JSON, redaction,
 * schema checks) are safe far beyond it.
 */
export const MAX_JSON_DEPTH = 128;

/**
 * An event wraps its content (a request body, so at most MAX_JSON_DEPTH deep) in one more
 * object. PDUs are held to this, so that no event our clients may send is refused by a peer
 * running Hearth, and no transaction carrying one (two levels more) is either.
 */
export const MAX_EVENT_DEPTH = MAX_JSON_DEPTH + 1;

export interface JsonLimits {
  /** Default MAX_JSON_DEPTH. */
  readonly maxDepth?: number;
  /** Default true; false checks the depth only (for a caller that checks strings item by item). */
  readonly strings?: boolean;
}

/**
 * Why a parsed JSON value cannot be stored or signed, or `undefined` when it can: nested deeper
 * than `maxDepth`, or a string (value or key) holding U+0000 or a lone UTF-16 surrogate.
 * PostgreSQL refuses U+0000 in text and jsonb, and a lone surrogate has no UTF-8 form, so it
 * would be stored (and hashed) as U+FFFD: something other than what was signed or sent.
 */
export function unstorableJsonReason(value: unknown, limits: JsonLimits = {}): string | undefined {
  return walk(value, 0, limits.maxDepth ?? MAX_JSON_DEPTH, limits.strings ?? true);
}

/** `unstorableJsonReason` as a ProtocolError (BAD_JSON), for callers that throw. */
export function assertStorableJson(value: unknown, limits: JsonLimits = {}): void {
  const reason = unstorableJsonReason(value, limits);
  if (reason !== undefined) throw new ProtocolError('BAD_JSON', reason);
}

/**
 * Whether JSON text may hold what `unstorableJsonReason` refuses, so that most bodies skip the
 * walk. Decoded from UTF-8, text holds U+0000 and surrogates in strings only as `\u` escapes
 * (a raw U+0000 is not JSON; astral characters arrive as well-formed pairs), and it cannot nest
 * deeper than it has brackets. Either answer may be a false alarm, never a miss.
 */
export function jsonTextNeedsLimitCheck(text: string, maxDepth = MAX_JSON_DEPTH): { strings: boolean; depth: boolean } {
  return { strings: ESCAPED_SUSPECT.test(text), depth: hasMoreBracketsThan(text, maxDepth) };
}

const ESCAPED_SUSPECT = /\\u(?:0000|[dD][89a-fA-F])/;

function hasMoreBracketsThan(text: string, limit: number): boolean {
  let count = 0;
  for (const bracket of ['[', '{']) {
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1)) if (++count > limit) return true;
  }
  return false;
}

/** True when `text` holds neither U+0000 nor a lone surrogate. */
export function isStorableString(text: string): boolean {
  if (text.includes('\u0000')) return false;
  // The quick test passes almost every string; only ones with a surrogate look closer.
  return !ANY_SURROGATE.test(text) || !LONE_SURROGATE.test(text);
}

const ANY_SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function walk(value: unknown, depth: number, maxDepth: number, strings: boolean): string | undefined {
  if (typeof value === 'string') return !strings || isStorableString(value) ? undefined : STRING_REASON;
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth + 1 > maxDepth) return `JSON is nested deeper than ${maxDepth} levels`;
  if (Array.isArray(value)) {
    for (const item of value) {
      const reason = walk(item, depth + 1, maxDepth, strings);
      if (reason !== undefined) return reason;
    }
    return undefined;
  }
  for (const key in value) {
    if (strings && !isStorableString(key)) return STRING_REASON;
    const reason = walk((value as Record<string, unknown>)[key], depth + 1, maxDepth, strings);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

const STRING_REASON = 'JSON strings may not contain U+0000 or unpaired surrogates';
