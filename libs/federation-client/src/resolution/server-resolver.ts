import { parseServerName, type ServerName } from '@hearth/protocol';
import { DEFAULT_FEDERATION_PORT, type ResolvedServer, type ResolverNetwork, type SrvTarget } from './resolved-server';

/** Resolutions are reused for this long; the well-known answer has its own lifetime inside. */
const RESOLUTION_CACHE_MS = 10 * 60 * 1000;

/**
 * Spec SS API "Resolving server names": IP literals and explicit ports first, then
 * `/.well-known/matrix/server` delegation, then SRV (`_matrix-fed._tcp`, then the deprecated
 * `_matrix._tcp`), then port 8448. The certificate and `Host` are for the server name, or for
 * the delegated name when well-known delegated.
 */
export class ServerResolver {
  private readonly cache = new Map<string, { resolved: ResolvedServer; expiresAt: number }>();
  private readonly wellKnown = new Map<string, { server?: string; expiresAt: number }>();

  constructor(
    private readonly network: ResolverNetwork,
    private readonly now: () => number = Date.now,
  ) {}

  async resolve(serverName: string): Promise<ResolvedServer> {
    const cached = this.cache.get(serverName);
    if (cached && cached.expiresAt > this.now()) return cached.resolved;
    const resolved = await this.resolveUncached(serverName);
    this.cache.set(serverName, { resolved, expiresAt: this.now() + RESOLUTION_CACHE_MS });
    return resolved;
  }

  /** Forget a destination's resolution, e.g. after its connection failed. */
  forget(serverName: string): void {
    this.cache.delete(serverName);
  }

  private async resolveUncached(serverName: string): Promise<ResolvedServer> {
    const name = parseServerName(serverName);
    const direct = resolveDirectly(serverName, name);
    if (direct) return direct;
    const delegated = await this.delegation(name.host);
    if (delegated !== undefined) {
      const target = parseServerName(delegated);
      return resolveDirectly(delegated, target) ?? (await this.resolveBySrv(target.host));
    }
    return this.resolveBySrv(name.host);
  }

  private async resolveBySrv(hostname: string): Promise<ResolvedServer> {
    for (const service of ['_matrix-fed._tcp', '_matrix._tcp']) {
      const target = pickSrvTarget(await this.network.resolveSrv(`${service}.${hostname}`));
      if (target) return { host: target.name, port: target.port, tlsName: hostname, hostHeader: hostname };
    }
    return { host: hostname, port: DEFAULT_FEDERATION_PORT, tlsName: hostname, hostHeader: hostname };
  }

  private async delegation(hostname: string): Promise<string | undefined> {
    const cached = this.wellKnown.get(hostname);
    if (cached && cached.expiresAt > this.now()) return cached.server;
    const answer = await this.network.fetchWellKnown(hostname);
    this.wellKnown.set(hostname, { server: answer.server, expiresAt: this.now() + answer.cacheMs });
    return answer.server;
  }
}

/** IP literals and names with an explicit port need no lookup beyond the connection's own. */
function resolveDirectly(serverName: string, name: ServerName): ResolvedServer | undefined {
  if (name.kind !== 'dns')
    return { host: name.host, port: name.port ?? DEFAULT_FEDERATION_PORT, hostHeader: serverName };
  if (name.port !== undefined) return { host: name.host, port: name.port, tlsName: name.host, hostHeader: serverName };
  return undefined;
}

/** RFC 2782: the lowest priority wins; among equals, a random pick weighted by `weight`. */
export function pickSrvTarget(
  targets: readonly SrvTarget[],
  random: () => number = Math.random,
): SrvTarget | undefined {
  const usable = targets.filter((target) => target.name !== '.' && target.name !== '');
  if (usable.length === 0) return undefined;
  const best = Math.min(...usable.map((target) => target.priority));
  const candidates = usable.filter((target) => target.priority === best);
  const total = candidates.reduce((sum, target) => sum + target.weight, 0);
  if (total === 0) return candidates[0];
  let point = random() * total;
  for (const target of candidates) {
    point -= target.weight;
    if (point < 0) return target;
  }
  return candidates[candidates.length - 1];
}
