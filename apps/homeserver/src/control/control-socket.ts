import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '@hearth/http';
import { ADMIN_OPERATION_NAMES, type AdminOperations } from './admin-operations';

/** sun_path holds 108 bytes on Linux and 104 on macOS, terminator included. */
const MAX_SOCKET_PATH = 100;
const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * Where a server that owns an embedded database takes `hearth admin` commands: a Unix socket
 * in the data folder, which only the folder's owner can reach, or in the temporary folder under
 * a name derived from the data folder when that path would be too long for a socket.
 */
export function controlSocketPathFor(dataDir: string): string {
  const inDataDir = path.join(dataDir, 'hearth.sock');
  if (inDataDir.length <= MAX_SOCKET_PATH) return inDataDir;
  const digest = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `hearth-${digest}.sock`);
}

export interface ControlSocket {
  close(): Promise<void>;
}

/**
 * Serves {@link AdminOperations} on `socketPath`: `POST /<operation>` with `{"args": [...]}`,
 * answered `{"result": ...}` or, when the operation refuses, 400 `{"error": "..."}`.
 * The caller holds the data folder's lock, so a socket file left there is a dead server's.
 */
export async function serveControlSocket(
  socketPath: string,
  operations: AdminOperations,
  logger: Logger,
): Promise<ControlSocket> {
  fs.rmSync(socketPath, { force: true });
  const server = http.createServer((request, response) => {
    void answer(request, operations, logger).then(({ status, body }) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, 0o600);
  return {
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(socketPath, { force: true });
    },
  };
}

async function answer(
  request: http.IncomingMessage,
  operations: AdminOperations,
  logger: Logger,
): Promise<{ status: number; body: object }> {
  const name = (request.url ?? '').slice(1) as keyof AdminOperations;
  if (request.method !== 'POST' || !ADMIN_OPERATION_NAMES.includes(name))
    return { status: 404, body: { error: `no such operation: ${name}` } };
  try {
    const { args } = JSON.parse(await readBody(request)) as { args: unknown[] };
    const operation = operations[name].bind(operations) as (...args: unknown[]) => Promise<unknown>;
    const result = await operation(...(Array.isArray(args) ? args : []));
    logger.info({ operation: name }, 'admin command done');
    return { status: 200, body: { result: result ?? null } };
  } catch (error) {
    return { status: 400, body: { error: error instanceof Error ? error.message : String(error) } };
  }
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > MAX_REQUEST_BYTES) throw new Error('request too large');
  }
  return body;
}

/** The operations of the server listening on `socketPath`, each one request over the socket. */
export function controlSocketClient(socketPath: string): AdminOperations {
  const call =
    (name: keyof AdminOperations) =>
    (...args: unknown[]) =>
      requestOperation(socketPath, name, args);
  return Object.fromEntries(ADMIN_OPERATION_NAMES.map((name) => [name, call(name)])) as unknown as AdminOperations;
}

function requestOperation(socketPath: string, name: string, args: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { socketPath, path: `/${name}`, method: 'POST', headers: { 'content-type': 'application/json' } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          const body = JSON.parse(text || '{}') as { result?: unknown; error?: string };
          if (response.statusCode === 200) resolve(body.result);
          else reject(new Error(body.error ?? `the server answered ${response.statusCode}`));
        });
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify({ args }));
  });
}
