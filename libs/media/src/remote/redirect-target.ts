import * as ipaddr from 'ipaddr.js';
import { isPublicAddress } from '@hearth/http';

/**
 * Whether a peer's `Location` may be fetched: `https:` only, no credentials, and (unless the
 * operator allows private targets) not an address outside the public internet, so a peer cannot
 * make us fetch from our own network and serve the answer to a user as its media. A host name is
 * checked again when connecting (`publicOnlyLookup`), as its DNS answer may change.
 */
export function redirectTargetAllowed(url: URL, allowPrivate: boolean): boolean {
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  if (allowPrivate) return true;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return false;
  return !ipaddr.isValid(host) || isPublicAddress(host);
}
