import { ProtocolError } from './errors';
import { isValidServerName } from './server-name';

/** Spec appendix "Identifier Grammar": user IDs, room aliases and room IDs are at most 255 bytes. */
export const MAX_IDENTIFIER_BYTES = 255;

export interface UserId {
  readonly localpart: string;
  readonly serverName: string;
}

/** The localpart grammar for new accounts: a-z, 0-9 and `._=-/+`, not empty. */
export function isValidUserLocalpart(localpart: string): boolean {
  return /^[a-z0-9._=\-/+]+$/.test(localpart);
}

/**
 * Historical user IDs (spec "Historical User IDs"): any code points but `:` and NUL, which other
 * servers' users may still have. Accepted over federation, never created here.
 */
export function isValidHistoricalUserLocalpart(localpart: string): boolean {
  return !/[:\0]/.test(localpart) && !/[\uD800-\uDFFF]/.test(localpart.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));
}

/** Parses `@localpart:server`; `strict` applies the grammar for new accounts to the localpart. */
export function parseUserId(id: string, options: { strict?: boolean } = {}): UserId {
  const { localpart, serverName } = splitSigilled(id, '@', 'user ID');
  const valid = options.strict ? isValidUserLocalpart(localpart) : isValidHistoricalUserLocalpart(localpart);
  if (!valid) throw new ProtocolError('INVALID_ID', `Invalid user ID "${id}": bad localpart`);
  return { localpart, serverName };
}

export function isValidUserId(id: string, options: { strict?: boolean } = {}): boolean {
  return succeeds(() => parseUserId(id, options));
}

/** `#alias:server`. */
export function parseRoomAlias(alias: string): { readonly localpart: string; readonly serverName: string } {
  return splitSigilled(alias, '#', 'room alias');
}

export function isValidRoomAlias(alias: string): boolean {
  return succeeds(() => parseRoomAlias(alias));
}

/**
 * Room IDs: `!opaque:server` up to room version 11; from version 12, `!` and the create event's
 * 43-character URL-safe reference hash, without a server.
 */
export function isValidRoomId(id: string): boolean {
  if (/^![A-Za-z0-9_-]{43}$/.test(id)) return true;
  return succeeds(() => splitSigilled(id, '!', 'room ID'));
}

/** Event IDs: `$opaque:server` (room versions 1–2) or `$` and a 43-character hash (3 and up). */
export function isValidEventId(id: string): boolean {
  if (/^\$[A-Za-z0-9+/_-]{43}$/.test(id)) return true;
  return succeeds(() => splitSigilled(id, '$', 'event ID'));
}

function splitSigilled(id: string, sigil: string, what: string): { localpart: string; serverName: string } {
  const invalid = (why: string) => new ProtocolError('INVALID_ID', `Invalid ${what} "${id}": ${why}`);
  if (!id.startsWith(sigil)) throw invalid(`must start with ${sigil}`);
  if (Buffer.byteLength(id, 'utf8') > MAX_IDENTIFIER_BYTES) throw invalid(`longer than ${MAX_IDENTIFIER_BYTES} bytes`);
  const colon = id.indexOf(':');
  if (colon < 0) throw invalid('no server name');
  const localpart = id.slice(1, colon);
  const serverName = id.slice(colon + 1);
  if (!isValidServerName(serverName)) throw invalid('bad server name');
  if (localpart.includes('\0')) throw invalid('NUL in localpart');
  return { localpart, serverName };
}

function succeeds(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}
