import { promises as dns } from 'node:dns';
import { Agent, request } from 'undici';
import { WellKnownServerAnswer } from '@hearth/protocol';
import type { ResolverNetwork, SrvTarget, WellKnownAnswer } from './resolved-server';

const WELL_KNOWN_DEFAULT_CACHE_MS = 24 * 3600 * 1000;
const WELL_KNOWN_MAX_CACHE_MS = 48 * 3600 * 1000;
const WELL_KNOWN_ERROR_CACHE_MS = 3600 * 1000;
const WELL_KNOWN_MAX_BYTES = 50 * 1024;
const WELL_KNOWN_MAX_REDIRECTS = 5;
const WELL_KNOWN_TIMEOUT_MS = 10_000;

/** DNS SRV lookups and `/.well-known/matrix/server` over HTTPS, as the resolver needs them. */
export class LiveResolverNetwork implements ResolverNetwork {
  private readonly agent: Agent;

  constructor(verifyTls: boolean) {
    this.agent = new Agent({
      connect: { rejectUnauthorized: verifyTls },
      headersTimeout: WELL_KNOWN_TIMEOUT_MS,
      bodyTimeout: WELL_KNOWN_TIMEOUT_MS,
    });
  }

  async resolveSrv(name: string): Promise<SrvTarget[]> {
    try {
      return (await dns.resolveSrv(name)).map((record) => ({ ...record, name: record.name.replace(/\.$/, '') }));
    } catch {
      // NXDOMAIN, no records or an unreachable resolver all mean: no SRV delegation.
      return [];
    }
  }

  /** Spec: a 200 with a valid `m.server` delegates; anything else (errors included) does not, cached for a while. */
  async fetchWellKnown(hostname: string): Promise<WellKnownAnswer> {
    let url = `https://${hostname}/.well-known/matrix/server`;
    try {
      for (let hop = 0; hop <= WELL_KNOWN_MAX_REDIRECTS; hop++) {
        const response = await request(url, {
          dispatcher: this.agent,
          method: 'GET',
          signal: AbortSignal.timeout(WELL_KNOWN_TIMEOUT_MS),
        });
        const location = response.headers.location;
        if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string') {
          await response.body.dump();
          url = new URL(location, url).toString();
          continue;
        }
        if (response.statusCode !== 200) {
          await response.body.dump();
          return { cacheMs: WELL_KNOWN_ERROR_CACHE_MS };
        }
        const text = await readLimited(response.body, WELL_KNOWN_MAX_BYTES);
        const server = delegatedServer(text);
        const cacheMs = cacheLifetime(response.headers['cache-control'], response.headers.expires);
        return server === undefined ? { cacheMs } : { server, cacheMs };
      }
    } catch {
      // Connection refused, TLS failure, timeouts: no delegation.
    }
    return { cacheMs: WELL_KNOWN_ERROR_CACHE_MS };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function delegatedServer(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return WellKnownServerAnswer.safeParse(JSON.parse(text)).data?.['m.server'];
  } catch {
    return undefined;
  }
}

/** `Cache-Control: max-age` (or `no-store`), else `Expires`, else a day; never more than two days. */
export function cacheLifetime(
  cacheControl: string | string[] | undefined,
  expires: string | string[] | undefined,
  now = Date.now(),
): number {
  const control = Array.isArray(cacheControl) ? cacheControl.join(',') : (cacheControl ?? '');
  if (/(^|,)\s*(no-store|no-cache)\s*(,|$)/i.test(control)) return 0;
  const maxAge = /(?:^|,)\s*max-age\s*=\s*(\d+)/i.exec(control)?.[1];
  if (maxAge !== undefined) return Math.min(Number(maxAge) * 1000, WELL_KNOWN_MAX_CACHE_MS);
  const expiresAt = Date.parse(Array.isArray(expires) ? (expires[0] ?? '') : (expires ?? ''));
  if (!Number.isNaN(expiresAt)) return Math.min(Math.max(0, expiresAt - now), WELL_KNOWN_MAX_CACHE_MS);
  return WELL_KNOWN_DEFAULT_CACHE_MS;
}

async function readLimited(body: AsyncIterable<Buffer>, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
