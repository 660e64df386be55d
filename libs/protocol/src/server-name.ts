import { isIPv6 } from 'node:net';
import { ProtocolError } from './errors';

export interface ServerName {
  readonly host: string;
  readonly port?: number;
  readonly kind: 'ipv4' | 'ipv6' | 'dns';
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const DNS_NAME = /^[A-Za-z0-9.-]{1,255}$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]{2,45}$/;

/** Spec appendix "Server Name": `hostname [ ":" port ]`, hostname an IPv4, `[IPv6]` or DNS name. */
export function parseServerName(name: string): ServerName {
  const invalid = (why: string) => new ProtocolError('INVALID_ID', `Invalid server name "${name}": ${why}`);
  let host: string;
  let portText: string | undefined;
  if (name.startsWith('[')) {
    const close = name.indexOf(']');
    if (close < 0) throw invalid('unclosed IPv6 literal');
    host = name.slice(1, close);
    const rest = name.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw invalid('unexpected text after the IPv6 literal');
    portText = rest === '' ? undefined : rest.slice(1);
    if (!IPV6_CHARS.test(host) || !isIPv6(host)) throw invalid('not an IPv6 address');
  } else {
    const colon = name.lastIndexOf(':');
    host = colon < 0 ? name : name.slice(0, colon);
    portText = colon < 0 ? undefined : name.slice(colon + 1);
  }
  const port = portText === undefined ? undefined : parsePort(portText, invalid);
  if (name.startsWith('[')) return { host, port, kind: 'ipv6' };
  const ipv4 = IPV4.exec(host);
  if (ipv4) {
    if (ipv4.slice(1).some((octet) => Number(octet) > 255)) throw invalid('IPv4 octet above 255');
    return { host, port, kind: 'ipv4' };
  }
  if (!DNS_NAME.test(host)) throw invalid('a DNS name has only letters, digits, "-" and "."');
  return { host, port, kind: 'dns' };
}

export function isValidServerName(name: string): boolean {
  try {
    parseServerName(name);
    return true;
  } catch {
    return false;
  }
}

function parsePort(text: string, invalid: (why: string) => ProtocolError): number {
  if (!/^\d{1,5}$/.test(text)) throw invalid('the port is 1 to 5 digits');
  const port = Number(text);
  if (port > 65535) throw invalid('the port is above 65535');
  return port;
}
