import * as net from 'node:net';
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
  /** Header names in lower case. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * A request written by hand over a socket, for what fetch will not send: a Content-Length that
 * lies, a body cut short. `end` half-closes after the last chunk (the server still answers);
 * `hangUp` destroys the socket instead, as a client that went away.
 */
export function rawRequest(
  baseUrl: string,
  options: { head: string; chunks?: Buffer[]; hangUp?: boolean; end?: boolean },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (error) => (options.hangUp ? undefined : reject(error)));
    socket.on('close', () => resolve(parseResponse(Buffer.concat(received).toString('utf8'))));
    socket.on('connect', () => {
      socket.write(options.head.replace(/\n/g, '\r\n'));
      for (const chunk of options.chunks ?? []) socket.write(chunk);
      if (options.hangUp) setTimeout(() => socket.destroy(), 100);
      else if (options.end) socket.end();
    });
  });
}

function parseResponse(text: string): RawResponse {
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body: rest.join('\r\n\r\n') };
}
