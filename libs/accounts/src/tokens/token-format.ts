import { hash, randomBytes } from 'node:crypto';

/** Prefixes make a leaked token recognisable to secret scanners and to people reading logs. */
export const ACCESS_TOKEN_PREFIX = 'hat_';
export const REFRESH_TOKEN_PREFIX = 'hrt_';

export function newOpaqueToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/**
 * Only this hash is stored: a copy of the database yields no usable token. Every authenticated
 * request hashes its token, so the one-shot form: no Hash object per request.
 */
export function hashToken(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}
