import * as http from 'node:http';
import type { LooseBody } from '@hearth/testing';

/** Raw media requests for tests: bytes in, bytes out, every header visible. */
export interface MediaResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Buffer;
  /** The body as JSON (error replies, upload answers). */
  json(): LooseBody;
}

export async function mediaFetch(
  url: string,
  init: { method?: string; token?: string; body?: Buffer | string; headers?: Record<string, string> } = {},
): Promise<MediaResponse> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body });
  const bytes = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    headers: res.headers,
    bytes,
    json: () => JSON.parse(bytes.toString('utf8')) as LooseBody,
  };
}

export async function upload(
  baseUrl: string,
  token: string,
  body: Buffer | string,
  contentType = 'application/octet-stream',
  fileName?: string,
): Promise<string> {
  const query = fileName === undefined ? '' : `?filename=${encodeURIComponent(fileName)}`;
  const res = await mediaFetch(`${baseUrl}/_matrix/media/v3/upload${query}`, {
    method: 'POST',
    token,
    body,
    headers: { 'content-type': contentType },
  });
  if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${res.bytes.toString()}`);
  return res.json().content_uri as string;
}

/** `mxc://server/id` → `server/id`, as the download paths take it. */
export function mediaPath(mxc: string): string {
  return mxc.slice('mxc://'.length);
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A request written by hand over a socket, for what fetch will not send: a Content-Length that
 * lies, a body cut short, a body that keeps coming after the server has answered.
 */
export function rawRequest(
  baseUrl: string,
  options: {
    method: string;
    path: string;
    headers: Record<string, string>;
    /** Chunks written one after another; the request then ends, or the socket is destroyed when `hangUp`. */
    chunks: Buffer[];
    hangUp?: boolean;
  },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, method: options.method, path: options.path, headers: options.headers },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
        response.on('error', reject);
      },
    );
    request.on('error', (error) => (options.hangUp ? resolve({ status: 0, headers: {}, body: '' }) : reject(error)));
    const write = async () => {
      for (const chunk of options.chunks) {
        if (!request.write(chunk)) await new Promise((r) => request.once('drain', r));
      }
      if (options.hangUp) setTimeout(() => request.destroy(), 50);
      else request.end();
    };
    write().catch(reject);
  });
}
