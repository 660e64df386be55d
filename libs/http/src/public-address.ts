import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import * as ipaddr from 'ipaddr.js';

/**
 * For outbound requests to addresses that users or peers chose (push gateways, media redirects):
 * only the public internet, so nobody can make the server fetch from its own network.
 */

/** Only the unicast internet; an IPv4 address mapped into IPv6 is judged as IPv4. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** `dns.lookup`, refusing every answer outside the public internet (a connection's `lookup`, checked as it connects). */
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
