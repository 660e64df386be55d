import { Readable } from 'node:stream';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Agent, request } from 'undici';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { FederationClient, FederationUnreachableError, type StreamedAnswer } from '@hearth/federation-client';
import { publicOnlyLookup } from '@hearth/http';
import { ContentTooLargeError, MEDIA_STORE, type MediaStore, type PutContent } from '../store/media-store';
import { uploadContentType } from '../upload/upload-description';
import { MalformedAnswerError } from './byte-reader';
import { dispositionName } from './disposition-name';
import { readMultipartMedia } from './multipart-media';
import { redirectTargetAllowed } from './redirect-target';
import { remoteMediaErrors } from './remote-media-errors';

/** Staged bytes of another server's file (kept or discarded by the caller) and how its origin labelled them. */
export interface FetchedMedia {
  readonly contentType: string;
  readonly uploadName: string | null;
  readonly content: PutContent;
}

/** Spec: how long the origin may wait for an asynchronous upload before answering. */
const ORIGIN_WAIT_MS = '20000';
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Fetches another server's media into the store: through the federation endpoint (spec v1.11),
 * else through the legacy `/_matrix/media/v3/download` for servers that predate it, following a
 * `Location` answer once. Bodies stream into the store under the size limit; nothing is kept here.
 */
@Injectable()
export class RemoteMediaFetcher implements OnModuleDestroy {
  private readonly redirects: Agent;

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly federation: FederationClient,
  ) {
    this.redirects = new Agent({
      connect: {
        rejectUnauthorized: config.federation.verifyTls,
        ...(config.media.allowPrivateRedirects ? {} : { lookup: publicOnlyLookup }),
      },
      headersTimeout: config.federation.requestTimeoutMs,
      bodyTimeout: config.media.remoteIdleTimeoutMs,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.redirects.close();
  }

  async fetch(origin: string, mediaId: string): Promise<FetchedMedia> {
    const answer = await this.get(origin, `/_matrix/federation/v1/media/download/${encodeURIComponent(mediaId)}`, {
      timeout_ms: ORIGIN_WAIT_MS,
    });
    if (await predatesFederationMedia(answer)) return this.fetchLegacy(origin, mediaId);
    this.checkAnswered(answer);
    try {
      const multipart = await readMultipartMedia(answer.body, header(answer, 'content-type') ?? '');
      if (multipart.location !== undefined) {
        answer.body.destroy();
        return await this.fetchLocation(multipart.location);
      }
      return await this.keepLabelled(answer.body, multipart.bytes!, multipart.headers);
    } catch (error) {
      answer.body.destroy();
      throw asClientError(error, this.config.media.maxRemoteBytes);
    }
  }

  /** Servers from before spec v1.11 (Synapse of 2022 and earlier) serve other servers through the client path. */
  private async fetchLegacy(origin: string, mediaId: string): Promise<FetchedMedia> {
    const path = `/_matrix/media/v3/download/${encodeURIComponent(origin)}/${encodeURIComponent(mediaId)}`;
    const answer = await this.get(origin, path, { allow_remote: 'false', timeout_ms: ORIGIN_WAIT_MS });
    this.checkAnswered(answer);
    return this.keepAnswer(answer.body, answer.headers);
  }

  /** The spec's redirect: the bytes at a public HTTPS URL, unsigned, within the same limits; not followed further. */
  private async fetchLocation(location: string): Promise<FetchedMedia> {
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      throw remoteMediaErrors.unavailable();
    }
    if (!redirectTargetAllowed(url, this.config.media.allowPrivateRedirects)) throw remoteMediaErrors.unavailable();
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, { dispatcher: this.redirects, method: 'GET' });
    } catch {
      throw remoteMediaErrors.unavailable();
    }
    if (response.statusCode !== 200) {
      response.body.destroy();
      throw response.statusCode === 404 ? remoteMediaErrors.notFound() : remoteMediaErrors.unavailable();
    }
    return this.keepAnswer(response.body, response.headers);
  }

  private async keepAnswer(body: Readable, headers: StreamedAnswer['headers']): Promise<FetchedMedia> {
    const labels = {
      'content-type': first(headers['content-type']) ?? '',
      'content-disposition': first(headers['content-disposition']) ?? '',
    };
    try {
      return await this.keepLabelled(body, body, labels);
    } catch (error) {
      body.destroy();
      throw asClientError(error, this.config.media.maxRemoteBytes);
    }
  }

  /** Streams `bytes` into the store; a declared length over the limit is refused before reading. */
  private async keepLabelled(
    body: Readable,
    bytes: AsyncIterable<Buffer>,
    headers: Readonly<Record<string, string>>,
  ): Promise<FetchedMedia> {
    const maxBytes = this.config.media.maxRemoteBytes;
    const declared = Number(headers['content-length'] ?? NaN);
    if (declared > maxBytes) throw new ContentTooLargeError(maxBytes);
    const content = await this.store.put(bytes instanceof Readable ? bytes : Readable.from(bytes), { maxBytes });
    body.destroy();
    return {
      contentType: uploadContentType(headers['content-type']),
      uploadName: dispositionName(headers['content-disposition']),
      content,
    };
  }

  private async get(origin: string, path: string, query: Record<string, string>): Promise<StreamedAnswer> {
    try {
      return await this.federation.stream(origin, {
        method: 'GET',
        path,
        query,
        accept: '*/*',
        idleTimeoutMs: this.config.media.remoteIdleTimeoutMs,
      });
    } catch (error) {
      if (error instanceof FederationUnreachableError) throw remoteMediaErrors.unavailable();
      throw error;
    }
  }

  /** Anything but 200 ends the fetch: 404 as not found, the rest as the origin's failure. */
  private checkAnswered(answer: StreamedAnswer): void {
    if (answer.status === 200) return;
    answer.body.destroy();
    throw answer.status === 404 ? remoteMediaErrors.notFound() : remoteMediaErrors.unavailable();
  }
}

/**
 * The federation endpoint is unknown to the peer: 404 M_UNRECOGNIZED (Synapse), or 400 and 405
 * from servers and proxies that route it nowhere. A 404 with any other errcode is the media's own.
 */
async function predatesFederationMedia(answer: StreamedAnswer): Promise<boolean> {
  if (answer.status === 400 || answer.status === 405) {
    answer.body.destroy();
    return true;
  }
  if (answer.status !== 404) return false;
  const errcode = await errcodeOf(answer.body);
  if (errcode === 'M_UNRECOGNIZED') return true;
  throw remoteMediaErrors.notFound();
}

async function errcodeOf(body: Readable): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > MAX_ERROR_BODY_BYTES) break;
      chunks.push(chunk as Buffer);
    }
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { errcode?: unknown };
    return typeof parsed.errcode === 'string' ? parsed.errcode : undefined;
  } catch {
    return undefined;
  } finally {
    body.destroy();
  }
}

function header(answer: StreamedAnswer, name: string): string | undefined {
  return first(answer.headers[name]);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A peer's fault becomes the spec's 502, a file past the limit 502 M_TOO_LARGE; our own errors pass. */
function asClientError(error: unknown, maxBytes: number): unknown {
  if (error instanceof ContentTooLargeError) return remoteMediaErrors.tooLarge(maxBytes);
  if (error instanceof MalformedAnswerError) return remoteMediaErrors.unavailable();
  if (isNetworkError(error)) return remoteMediaErrors.unavailable();
  return error;
}

/** undici's body timeouts and closed sockets, and streams cut short, as they surface while reading. */
function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    (code.startsWith('UND_ERR') ||
      code.startsWith('ECONN') ||
      code === 'ERR_STREAM_PREMATURE_CLOSE' ||
      code === 'EPIPE')
  );
}
