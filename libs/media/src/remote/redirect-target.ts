import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import * as ipaddr from 'ipaddr.js';

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

/** Only the unicast internet; an IPv4 address mapped into IPv6 is judged as IPv4. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** `dns.lookup`, refusing every answer outside the public internet. */
export function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const allowed = addresses.filter((entry) => isPublicAddress(entry.address));
    if (allowed.length === 0) {
      const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves only to non-public addresses`);
      refused.code = 'ENOTFOUND';
      return callback(refused, []);
    }
    if (options.all) return callback(null, allowed);
    const [first] = allowed as [LookupAddress];
    callback(null, first.address, first.family);
  });
}
