import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';

/**
 * Whom we federate with: an organisation may list its partners (`federation.allow`) or shut
 * out servers (`federation.deny`); deny wins. Entries are exact names or `*.domain`.
 */
@Injectable()
export class FederationPolicy {
  constructor(@Inject(HEARTH_CONFIG) private readonly config: HearthConfig) {}

  allows(serverName: string): boolean {
    const { allow, deny } = this.config.federation;
    const name = serverName.toLowerCase();
    if (deny.some((pattern) => matchesServerPattern(name, pattern))) return false;
    return allow === undefined || allow.some((pattern) => matchesServerPattern(name, pattern));
  }
}

/** `*.example.org` matches every name under the domain (with any port), not the domain itself. */
export function matchesServerPattern(serverName: string, pattern: string): boolean {
  const wanted = pattern.toLowerCase();
  if (wanted.startsWith('*.')) return hostOf(serverName).endsWith(wanted.slice(1));
  return serverName === wanted;
}

function hostOf(serverName: string): string {
  if (serverName.startsWith('[')) return serverName.slice(0, serverName.indexOf(']') + 1);
  const colon = serverName.lastIndexOf(':');
  return colon < 0 ? serverName : serverName.slice(0, colon);
}
