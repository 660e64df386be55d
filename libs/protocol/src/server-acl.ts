import type { JsonObject } from './json';
import { parseServerName } from './server-name';

/**
 * Spec CS API "Server Access Control Lists": whether `serverName` may take part in a room with
 * this m.room.server_acl content. The port is ignored; deny wins over allow; a missing allow
 * list allows nobody; IP literals are refused unless `allow_ip_literals` is not false.
 */
export function serverAclAllows(content: JsonObject, serverName: string): boolean {
  let host: string;
  let isIpLiteral: boolean;
  try {
    const parsed = parseServerName(serverName);
    host = parsed.kind === 'ipv6' ? `[${parsed.host}]` : parsed.host;
    isIpLiteral = parsed.kind !== 'dns';
  } catch {
    return false;
  }
  if (isIpLiteral && content.allow_ip_literals === false) return false;
  if (patterns(content.deny).some((pattern) => pattern.test(host))) return false;
  return patterns(content.allow).some((pattern) => pattern.test(host));
}

function patterns(value: unknown): RegExp[] {
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === 'string').map(globToRegExp);
}

/** `*` matches any run of characters, `?` one character; everything else literally, case-insensitively. */
function globToRegExp(glob: string): RegExp {
  const source = [...glob]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i');
}
