import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import * as ipaddr from 'ipaddr.js';
import { Agent, request, type Dispatcher } from 'undici';
import type { IpPolicy } from './ip-policy';
import { PreviewFetchError } from './preview-errors';

/** What a preview fetch got: the URL it ended at (after redirects), its type and its bytes. */
export interface FetchedResource {
  readonly url: URL;
  readonly contentType: string;
  readonly body: Buffer;
}

export interface FetchLimits {
  readonly maxBytes: number;
  readonly maxRedirects: number;
  /** For the whole fetch, redirects included. */
  readonly signal: AbortSignal;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches a URL for a preview without letting it reach into the server's own network. A host name
 * is resolved when the connection is made and every address it answers is checked; the socket
 * connects to a checked address (the lookup's own answer), so a second DNS answer cannot switch it
 * (rebinding). An address literal is checked before connecting. Redirects are followed by hand,
 * each hop checked again, at most `maxRedirects` of them; bodies past `maxBytes` are refused.
 */
export class GuardedFetch {
  private readonly agent: Agent;

  constructor(private readonly policy: IpPolicy) {
    this.agent = new Agent({ connect: { lookup: this.checkedLookup } });
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  async fetch(start: URL, limits: FetchLimits): Promise<FetchedResource> {
    let url = start;
    for (let hop = 0; ; hop += 1) {
      this.checkUrl(url);
      const response = await this.get(url, limits.signal);
      const location = response.headers.location;
      if (REDIRECTS.has(response.statusCode) && typeof location === 'string') {
        await response.body.dump();
        if (hop >= limits.maxRedirects) throw new PreviewFetchError('unreachable', 'too many redirects');
        url = redirectTarget(location, url);
        continue;
      }
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new PreviewFetchError('unreachable', `the server answered ${response.statusCode}`);
      }
      const contentType = String(response.headers['content-type'] ?? 'application/octet-stream');
      return { url, contentType, body: await readLimited(response, limits.maxBytes, limits.signal) };
    }
  }

  private checkUrl(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new PreviewFetchError('bad-url', 'Only http and https URLs can be previewed');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(host) && !this.policy.isAllowed(host))
      throw new PreviewFetchError('blocked', `${host} is blocked`);
  }

  private async get(url: URL, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    try {
      return await request(url, {
        dispatcher: this.agent,
        method: 'GET',
        headers: { 'user-agent': 'Hearth URL preview', accept: 'text/html, image/*;q=0.9, */*;q=0.5' },
        signal,
      });
    } catch (error) {
      if (error instanceof PreviewFetchError) throw error;
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof PreviewFetchError) throw cause;
      if ((error as { code?: string }).code === 'EBLOCKED') throw new PreviewFetchError('blocked', url.hostname);
      throw new PreviewFetchError('unreachable', signal.aborted ? 'timed out' : (error as Error).message);
    }
  }

  /** `dns.lookup`, answering only addresses the policy allows (and so the one connected to). */
  private readonly checkedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const allowed = addresses.filter((entry) => this.policy.isAllowed(entry.address));
      if (allowed.length === 0) {
        const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves only to blocked addresses`);
        refused.code = 'EBLOCKED';
        return callback(refused, []);
      }
      if (options.all) return callback(null, allowed);
      const [first] = allowed as [LookupAddress];
      callback(null, first.address, first.family);
    });
  };
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function redirectTarget(location: string, from: URL): URL {
  try {
    return new URL(location, from);
  } catch {
    throw new PreviewFetchError('unreachable', 'a redirect to something that is not a URL');
  }
}

async function readLimited(response: Dispatcher.ResponseData, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  try {
    return await readBody(response, maxBytes);
  } catch (error) {
    if (error instanceof PreviewFetchError) throw error;
    throw new PreviewFetchError('unreachable', signal.aborted ? 'timed out' : (error as Error).message);
  }
}

async function readBody(response: Dispatcher.ResponseData, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (declared > maxBytes) {
    response.body.destroy();
    throw new PreviewFetchError('too-large', `${declared} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      response.body.destroy();
      throw new PreviewFetchError('too-large', `more than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
