import * as ipaddr from 'ipaddr.js';
import type { UrlPreviewConfig } from '@hearth/config';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Which addresses a URL preview may connect to. Only public unicast by default: ipaddr.js names
 * every other range (private, loopback, link-local, carrier-grade NAT, multicast, unique-local and
 * site-local IPv6, reserved, documentation, 6to4/Teredo/NAT64 that embed an IPv4 address, ...), and
 * an IPv4 address mapped into IPv6 is judged as the IPv4 address it is. The operator's
 * `blocked_ip_ranges` refuses more; `allowed_ip_ranges` lets an address through whatever else says.
 */
export class IpPolicy {
  private readonly blocked: Range[];
  private readonly allowed: Range[];

  constructor(config: Pick<UrlPreviewConfig, 'blockedIpRanges' | 'allowedIpRanges'>) {
    this.blocked = config.blockedIpRanges.map(parseRange);
    this.allowed = config.allowedIpRanges.map(parseRange);
  }

  isAllowed(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const parsed = normalised(ipaddr.parse(address));
    if (this.allowed.some((range) => inRange(parsed, range))) return true;
    if (parsed.range() !== 'unicast') return false;
    return !this.blocked.some((range) => inRange(parsed, range));
  }
}

function normalised(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

/** A CIDR range, or a bare address as a range of one. */
function parseRange(text: string): Range {
  if (text.includes('/')) {
    const [address, bits] = ipaddr.parseCIDR(text);
    return [normalisedRange(address, bits), address.kind() === 'ipv6' && isMapped(address) ? bits - 96 : bits];
  }
  const address = normalised(ipaddr.parse(text));
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}

function isMapped(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress();
}

function normalisedRange(address: ipaddr.IPv4 | ipaddr.IPv6, bits: number): ipaddr.IPv4 | ipaddr.IPv6 {
  return isMapped(address) && bits >= 96 ? normalised(address) : address;
}

function inRange(address: ipaddr.IPv4 | ipaddr.IPv6, [base, bits]: Range): boolean {
  return address.kind() === base.kind() && address.match(base, bits);
}
