import type { ResolverNetwork, SrvTarget, WellKnownAnswer } from './resolved-server';
import { pickSrvTarget, ServerResolver } from './server-resolver';
import { cacheLifetime } from './live-network';

/** DNS and well-known answers as a table; records what was asked. */
function fakeNetwork(
  srv: Record<string, SrvTarget[]>,
  wellKnown: Record<string, string>,
): ResolverNetwork & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolveSrv(name: string) {
      asked.push(`srv ${name}`);
      return Promise.resolve(srv[name] ?? []);
    },
    fetchWellKnown(hostname: string): Promise<WellKnownAnswer> {
      asked.push(`well-known ${hostname}`);
      const server = wellKnown[hostname];
      return Promise.resolve(server === undefined ? { cacheMs: 3600_000 } : { server, cacheMs: 3600_000 });
    },
  };
}

const srv = (name: string, port: number, priority = 10, weight = 0): SrvTarget => ({ name, port, priority, weight });

describe('server name resolution (spec SS API "Resolving server names")', () => {
  it('connects to IP literals directly, on 8448 unless a port is given, with no SNI', async () => {
    const network = fakeNetwork({}, {});
    const resolver = new ServerResolver(network);
    expect(await resolver.resolve('192.0.2.1')).toEqual({ host: '192.0.2.1', port: 8448, hostHeader: '192.0.2.1' });
    expect(await resolver.resolve('[2001:db8::1]:8000')).toEqual({
      host: '2001:db8::1',
      port: 8000,
      hostHeader: '[2001:db8::1]:8000',
    });
    expect(network.asked).toEqual([]);
  });

  it('connects to a hostname with an explicit port directly; the certificate is for the hostname', async () => {
    const network = fakeNetwork({}, { 'example.org': 'ignored.example' });
    expect(await new ServerResolver(network).resolve('example.org:8449')).toEqual({
      host: 'example.org',
      port: 8449,
      tlsName: 'example.org',
      hostHeader: 'example.org:8449',
    });
    expect(network.asked).toEqual([]);
  });

  it('follows well-known delegation, then SRV on the delegated name; certificate and Host for the delegated name', async () => {
    const network = fakeNetwork(
      { '_matrix-fed._tcp.matrix.example.org': [srv('fed1.example.org', 443)] },
      { 'example.org': 'matrix.example.org' },
    );
    expect(await new ServerResolver(network).resolve('example.org')).toEqual({
      host: 'fed1.example.org',
      port: 443,
      tlsName: 'matrix.example.org',
      hostHeader: 'matrix.example.org',
    });
  });

  it('connects to a delegated name with a port directly, and to a bare delegated name on 8448', async () => {
    const withPort = fakeNetwork({}, { 'example.org': 'matrix.example.org:443' });
    expect(await new ServerResolver(withPort).resolve('example.org')).toEqual({
      host: 'matrix.example.org',
      port: 443,
      tlsName: 'matrix.example.org',
      hostHeader: 'matrix.example.org:443',
    });
    expect(withPort.asked).toEqual(['well-known example.org']);
    const bare = fakeNetwork({}, { 'example.org': 'matrix.example.org' });
    expect(await new ServerResolver(bare).resolve('example.org')).toEqual({
      host: 'matrix.example.org',
      port: 8448,
      tlsName: 'matrix.example.org',
      hostHeader: 'matrix.example.org',
    });
  });

  it('without delegation uses _matrix-fed._tcp, then the deprecated _matrix._tcp; certificate and Host for the server name', async () => {
    const fed = fakeNetwork(
      {
        '_matrix-fed._tcp.example.org': [srv('a.example.org', 8000)],
        '_matrix._tcp.example.org': [srv('b.example.org', 9000)],
      },
      {},
    );
    expect(await new ServerResolver(fed).resolve('example.org')).toEqual({
      host: 'a.example.org',
      port: 8000,
      tlsName: 'example.org',
      hostHeader: 'example.org',
    });
    const legacy = fakeNetwork({ '_matrix._tcp.example.org': [srv('b.example.org', 9000)] }, {});
    expect(await new ServerResolver(legacy).resolve('example.org')).toEqual({
      host: 'b.example.org',
      port: 9000,
      tlsName: 'example.org',
      hostHeader: 'example.org',
    });
    const none = fakeNetwork({}, {});
    expect(await new ServerResolver(none).resolve('example.org')).toEqual({
      host: 'example.org',
      port: 8448,
      tlsName: 'example.org',
      hostHeader: 'example.org',
    });
  });

  it('caches resolutions and forgets one on request', async () => {
    const network = fakeNetwork({}, {});
    let now = 0;
    const resolver = new ServerResolver(network, () => now);
    await resolver.resolve('example.org');
    await resolver.resolve('example.org');
    expect(network.asked.filter((q) => q.startsWith('well-known'))).toHaveLength(1);
    resolver.forget('example.org');
    await resolver.resolve('example.org');
    expect(network.asked.filter((q) => q.startsWith('well-known'))).toHaveLength(1);
    now += 2 * 3600_000;
    await resolver.resolve('example.org');
    expect(network.asked.filter((q) => q.startsWith('well-known'))).toHaveLength(2);
  });

  it('picks SRV targets by lowest priority, then by weight', () => {
    const targets = [srv('low', 1, 20, 100), srv('a', 1, 10, 1), srv('b', 1, 10, 3)];
    expect(pickSrvTarget(targets, () => 0)?.name).toBe('a');
    expect(pickSrvTarget(targets, () => 0.5)?.name).toBe('b');
    expect(pickSrvTarget([srv('.', 0)])).toBeUndefined();
  });

  it('caches well-known answers by Cache-Control or Expires, at most 48 hours', () => {
    expect(cacheLifetime('max-age=600', undefined)).toBe(600_000);
    expect(cacheLifetime('public, max-age=999999999', undefined)).toBe(48 * 3600_000);
    expect(cacheLifetime('no-store', undefined)).toBe(0);
    expect(cacheLifetime(undefined, new Date(1_000_000 + 60_000).toUTCString(), 1_000_000)).toBeLessThanOrEqual(60_000);
    expect(cacheLifetime(undefined, undefined)).toBe(24 * 3600_000);
  });
});
