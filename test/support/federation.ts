import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Agent, request } from 'undici';
import { readSigningKey } from '@hearth/signing';
import { signFederationRequest, type JsonValue, type SigningKey } from '@hearth/protocol';
import { signUp, type LooseBody, type MatrixResponse, type TestClient } from './matrix-client';
import { NetsplitProxy } from './netsplit-proxy';
import { startTestHomeserver, type TestHomeserver } from './test-homeserver';

export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with the system's openssl. */
export function makeTestCertificate(): TestCertificate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-tls-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=hearth-test',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}

/** A port that was free a moment ago: the server name has to be known before the server starts. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface FederatingHomeserver extends TestHomeserver {
  /** `127.0.0.1:<port>`: other servers reach it by its name alone. */
  readonly serverName: string;
  readonly federationUrl: string;
  readonly signingKey: SigningKey;
  /** With `{ netsplit: true }`: the relay the server's name points at. */
  readonly proxy?: NetsplitProxy;
}

export interface FederatingOptions {
  /** Put a relay between the server's name and its listener, to split it from the others at will. */
  readonly netsplit?: boolean;
  /** The host part of the server name: `127.0.0.1` (default) or `localhost`, for tests that tell servers apart by host. */
  readonly host?: '127.0.0.1' | 'localhost';
}

/** A Hearth with its own database and its own TLS federation listener, named after that listener (or its relay). */
export async function startFederatingHomeserver(
  certificate: TestCertificate,
  config: Record<string, unknown> = {},
  options: FederatingOptions = {},
): Promise<FederatingHomeserver> {
  const port = await freePort();
  const listenPort = options.netsplit ? await freePort() : port;
  const serverName = `${options.host ?? '127.0.0.1'}:${port}`;
  const proxy = options.netsplit ? await NetsplitProxy.start(port, listenPort) : undefined;
  const { federation, ...rest } = config as { federation?: Record<string, unknown> };
  const homeserver = await startTestHomeserver({
    config: {
      server_name: serverName,
      federation: {
        listen: `127.0.0.1:${listenPort}`,
        tls_cert: certificate.certFile,
        tls_key: certificate.keyFile,
        verify_tls: false,
        ...federation,
      },
      ...rest,
    },
  });
  return {
    ...homeserver,
    serverName,
    federationUrl: homeserver.server.federationUrl as string,
    signingKey: readSigningKey(homeserver.config.signingKeyPath),
    ...(proxy ? { proxy } : {}),
    destroy: async () => {
      await proxy?.close();
      await homeserver.destroy();
    },
  };
}

const insecureAgent = new Agent({ connect: { rejectUnauthorized: false } });

export interface SignedRequestOptions {
  readonly origin: string;
  readonly key: SigningKey;
  readonly destination: string;
  /** Replaces the computed header, for tests of bad headers; `null` sends none. */
  readonly authorization?: string | null;
}

/** A federation request as another server would send it, over TLS to `baseUrl`. */
export async function federationRequest(
  baseUrl: string,
  method: string,
  uri: string,
  body: JsonValue | undefined,
  options: SignedRequestOptions,
): Promise<MatrixResponse<LooseBody>> {
  const authorization =
    options.authorization === undefined
      ? signFederationRequest(
          {
            method,
            uri,
            origin: options.origin,
            destination: options.destination,
            ...(body !== undefined ? { content: body } : {}),
          },
          options.key,
        )
      : options.authorization;
  const headers: Record<string, string> = {};
  if (authorization !== null) headers.authorization = authorization;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await request(`${baseUrl}${uri}`, {
    method: method as 'GET',
    headers,
    dispatcher: insecureAgent,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    body: (text ? JSON.parse(text) : {}) as LooseBody,
    headers: new Headers(response.headers as Record<string, string>),
  };
}

/** A signed GET whose answer is kept as bytes (multipart media), not parsed as JSON. */
export async function federationRawGet(
  baseUrl: string,
  uri: string,
  options: SignedRequestOptions,
): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const authorization =
    options.authorization === undefined
      ? signFederationRequest(
          { method: 'GET', uri, origin: options.origin, destination: options.destination },
          options.key,
        )
      : options.authorization;
  const response = await request(`${baseUrl}${uri}`, {
    method: 'GET',
    headers: authorization === null ? {} : { authorization },
    dispatcher: insecureAgent,
  });
  return {
    status: response.statusCode,
    headers: new Headers(response.headers as Record<string, string>),
    bytes: Buffer.from(await response.body.arrayBuffer()),
  };
}

export interface FederatedPair {
  readonly a: FederatingHomeserver;
  readonly b: FederatingHomeserver;
  /** `@alice` on A and `@bob` on B, signed in. */
  readonly alice: TestClient;
  readonly bob: TestClient;
}

interface PairSide {
  readonly config?: Record<string, unknown>;
  readonly options?: FederatingOptions;
}

/** Two federating servers with open registration and a user on each: the set-up most federation tests start from. */
export async function startFederatedPair(sides: { a?: PairSide; b?: PairSide } = {}): Promise<FederatedPair> {
  const certificate = makeTestCertificate();
  const start = (side: PairSide = {}) =>
    startFederatingHomeserver(certificate, { registration: 'open', ...side.config }, side.options);
  const [a, b] = await Promise.all([start(sides.a), start(sides.b)]);
  const [alice, bob] = await Promise.all([signUp(a.url, 'alice'), signUp(b.url, 'bob')]);
  return { a, b, alice, bob };
}

/** A room Alice creates on A with `body`, which Bob joins through A; its ID. */
export async function sharedRoom(
  pair: FederatedPair,
  body: Record<string, unknown> = { preset: 'public_chat' },
): Promise<string> {
  const roomId = (await pair.alice.post('/_matrix/client/v3/createRoom', body)).body.room_id as string;
  const joined = await pair.bob.post(
    `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?via=${encodeURIComponent(pair.a.serverName)}`,
    {},
  );
  if (joined.status !== 200) throw new Error(`bob could not join ${roomId}: ${JSON.stringify(joined.body)}`);
  return roomId;
}
