import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import sharp from 'sharp';
import { AdminUsersService } from '@hearth/accounts';
import { PurgeRunner } from '@hearth/retention';
import {
  makeTestCertificate,
  signUp,
  startFederatingHomeserver,
  TestClient,
  type FederatingHomeserver,
} from '@hearth/testing';
import { mediaFetch, mediaPath, upload, type MediaResponse } from './media-http';

const BOUNDARY = 'legacyPeerBoundary42';
const MAX_REMOTE_BYTES = 1024 * 1024;
const SLOW_BYTES = Buffer.alloc(300_000, 'slow ');

/**
 * A peer written by hand on loopback TLS, playing servers Hearth must cope with: one from before
 * spec v1.11 that only has the legacy download, and ones that answer garbage, stop half-way, never
 * finish, send too much, or redirect. It records what it was asked.
 */
class HandWrittenPeer {
  readonly asked: string[] = [];
  private constructor(
    private readonly server: https.Server,
    readonly serverName: string,
  ) {}

  static async start(certificate: { certFile: string; keyFile: string }): Promise<HandWrittenPeer> {
    const server = https.createServer({
      cert: fs.readFileSync(certificate.certFile),
      key: fs.readFileSync(certificate.keyFile),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const peer = new HandWrittenPeer(server, `127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (request, response) => peer.handle(request.url ?? '', response));
    return peer;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(url: string, response: import('node:http').ServerResponse): void {
    this.asked.push(url);
    const federation = /^\/_matrix\/federation\/v1\/media\/download\/([^/?]+)/.exec(url)?.[1];
    const legacy = /^\/_matrix\/media\/v3\/download\/[^/]+\/([^/?]+)\?(.*)$/.exec(url);
    const head = `--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${BOUNDARY}\r\n`;
    const multipart = { 'content-type': `multipart/mixed; boundary=${BOUNDARY}` };
    switch (federation) {
      case 'garbage':
        response.writeHead(200, multipart);
        return void response.end('this is not a multipart body, however it is labelled');
      case 'truncated':
        response.writeHead(200, multipart);
        return void response.end(`${head}Content-Type: text/plain\r\n\r\nthe first half of a fi`);
      case 'endless':
        response.writeHead(200, multipart);
        return void response.write(`${head}Content-Type: text/plain\r\n\r\nand then nothing more, ever`);
      case 'huge':
        response.writeHead(200, multipart);
        response.write(`${head}Content-Type: application/octet-stream\r\n\r\n`);
        response.write(Buffer.alloc(MAX_REMOTE_BYTES + 1, 7));
        return void response.end(`\r\n--${BOUNDARY}--\r\n`);
      case 'slow':
        response.writeHead(200, multipart);
        response.write(`${head}Content-Type: application/octet-stream\r\n\r\n`);
        return void setTimeout(
          () => response.end(Buffer.concat([SLOW_BYTES, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)])),
          500,
        );
      case 'elsewhere':
        response.writeHead(200, multipart);
        return void response.end(`${head}Location: https://${this.serverName}/cdn/file\r\n\r\n\r\n--${BOUNDARY}--\r\n`);
      case undefined:
        break;
      default:
        response.writeHead(404, { 'content-type': 'application/json' });
        return void response.end(JSON.stringify({ errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' }));
    }
    if (url === '/cdn/file') {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-disposition': 'inline; filename="cdn.txt"' });
      return void response.end('bytes from behind a redirect');
    }
    if (legacy?.[1] === 'legacyfile') {
      response.writeHead(200, { 'content-type': 'text/plain', 'content-disposition': 'inline; filename="old.txt"' });
      return void response.end('served by a server from 2022');
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ errcode: 'M_NOT_FOUND', error: 'Not found' }));
  }
}

describe('Remote media: fetching other servers media for our users (real Hearths over TLS)', () => {
  let a: FederatingHomeserver;
  let b: FederatingHomeserver;
  let peer: HandWrittenPeer;
  let aliceToken: string;
  let bobToken: string;

  beforeAll(async () => {
    const certificate = makeTestCertificate();
    const media = { max_remote_bytes: MAX_REMOTE_BYTES, remote_idle_timeout_seconds: 2, allow_private_redirects: true };
    [a, b, peer] = await Promise.all([
      startFederatingHomeserver(certificate, { registration: 'open' }),
      startFederatingHomeserver(certificate, { registration: 'open', media }),
      HandWrittenPeer.start(certificate),
    ]);
    [aliceToken, bobToken] = await Promise.all([
      signUp(a.url, 'alice').then((client) => client.accessToken!),
      signUp(b.url, 'bob').then((client) => client.accessToken!),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.destroy(), b?.destroy(), peer?.close()]);
  });

  const onB = (what: 'download' | 'thumbnail', media: string, query = ''): Promise<MediaResponse> =>
    mediaFetch(`${b.url}/_matrix/client/v1/media/${what}/${media}${query}`, { token: bobToken });

  const storedOnB = (bytes: Buffer | string): boolean => {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return fs.existsSync(path.join(b.config.media.path, 'content', sha256.slice(0, 2), sha256.slice(2, 4), sha256));
  };
  const stagedOnB = (): string[] => {
    const staging = path.join(b.config.media.path, 'staging');
    return fs.existsSync(staging) ? fs.readdirSync(staging) : [];
  };

  let note: { media: string; bytes: Buffer };

  it('downloads a file uploaded on A for a user of B, with its type and name', async () => {
    const bytes = Buffer.from('A file that lives on server A, read by Bob on server B.');
    note = { media: mediaPath(await upload(a.url, aliceToken, bytes, 'text/plain', 'note.txt')), bytes };
    const res = await onB('download', note.media);
    expect(res.status).toBe(200);
    expect(res.bytes.equals(bytes)).toBe(true);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="note.txt"');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(storedOnB(bytes)).toBe(true);
  });

  it('serves the second download from its cache, even once the origin deleted the file', async () => {
    const [, mediaId] = note.media.split('/');
    const deleted = await mediaFetch(`${a.url}/_hearth/client/v1/media/${mediaId}`, {
      method: 'DELETE',
      token: aliceToken,
    });
    expect(deleted.status).toBe(200);
    expect(
      (await mediaFetch(`${a.url}/_matrix/client/v1/media/download/${note.media}`, { token: aliceToken })).status,
    ).toBe(404);
    const res = await onB('download', note.media, '/renamed.txt');
    expect(res.status).toBe(200);
    expect(res.bytes.equals(note.bytes)).toBe(true);
    expect(res.headers.get('content-disposition')).toBe('inline; filename="renamed.txt"');
    const range = await mediaFetch(`${b.url}/_matrix/client/v1/media/download/${note.media}`, {
      token: bobToken,
      headers: { range: 'bytes=0-5' },
    });
    expect(range.status).toBe(206);
    expect(range.bytes.toString()).toBe('A file');
  });

  it('fetches once for concurrent first requests, and every asker gets the bytes', async () => {
    const answers = await Promise.all([1, 2, 3, 4].map(() => onB('download', `${peer.serverName}/slow`)));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.bytes.equals(SLOW_BYTES)).toBe(true);
      expect(answer.headers.get('content-disposition')).toBe('attachment');
    }
    expect(peer.asked.filter((url) => url.includes('/slow'))).toHaveLength(1);
    expect(stagedOnB()).toEqual([]);
  });

  it('makes thumbnails of remote images from the cached original', async () => {
    const image = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3366aa' } })
      .png()
      .toBuffer();
    const media = mediaPath(await upload(a.url, aliceToken, image, 'image/png'));
    const res = await onB('thumbnail', media, '?width=32&height=32&method=crop');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(await sharp(res.bytes).metadata()).toMatchObject({ width: 32, height: 32 });
    expect(storedOnB(image)).toBe(true);
  });

  it('answers 404 without fetching for allow_remote=false, and for media the origin does not have', async () => {
    const bytes = Buffer.from('never fetched');
    const media = mediaPath(await upload(a.url, aliceToken, bytes, 'text/plain'));
    const refused = await onB('download', media, '?allow_remote=false');
    expect(refused.status).toBe(404);
    expect(refused.json().errcode).toBe('M_NOT_FOUND');
    expect((await onB('thumbnail', media, '?width=32&height=32&allow_remote=false')).status).toBe(404);
    expect(storedOnB(bytes)).toBe(false);
    const unknown = await onB('download', `${a.serverName}/doesNotExistAnywhere`);
    expect(unknown.status).toBe(404);
    expect(unknown.json().errcode).toBe('M_NOT_FOUND');
  });

  it('falls back to the legacy download for a server without the federation endpoint', async () => {
    const res = await onB('download', `${peer.serverName}/legacyfile`);
    expect(res.status).toBe(200);
    expect(res.bytes.toString()).toBe('served by a server from 2022');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="old.txt"');
    expect(peer.asked).toContain('/_matrix/federation/v1/media/download/legacyfile?timeout_ms=20000');
    expect(peer.asked).toContain(
      `/_matrix/media/v3/download/${encodeURIComponent(peer.serverName)}/legacyfile?allow_remote=false&timeout_ms=20000`,
    );
  });

  it('follows a Location answer to the bytes', async () => {
    const res = await onB('download', `${peer.serverName}/elsewhere`);
    expect(res.status).toBe(200);
    expect(res.bytes.toString()).toBe('bytes from behind a redirect');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="cdn.txt"');
  });

  it.each([
    ['garbage', 502, 'M_UNKNOWN'],
    ['truncated', 502, 'M_UNKNOWN'],
    ['endless', 502, 'M_UNKNOWN'],
    ['huge', 502, 'M_TOO_LARGE'],
  ])(
    'answers a peer sending %s with %d %s, keeping nothing',
    async (mediaId, status, errcode) => {
      const res = await onB('download', `${peer.serverName}/${mediaId}`);
      expect(res.status).toBe(status);
      expect(res.json().errcode).toBe(errcode);
      expect(stagedOnB()).toEqual([]);
      // not cached either: the peer is asked again
      const before = peer.asked.length;
      expect((await onB('download', `${peer.serverName}/${mediaId}`)).status).toBe(status);
      expect(peer.asked.length).toBeGreaterThan(before);
    },
    20_000,
  );

  it('purges cached media unread for media.remote_cache_days, bytes included, and fetches it anew', async () => {
    const report = await b.server.app.get(PurgeRunner).runAll(Date.now() + 31 * 24 * 3600 * 1000);
    expect(report['remote-media-cache']).toBeGreaterThanOrEqual(4);
    expect(storedOnB(note.bytes)).toBe(false);
    // the origin deleted it meanwhile, so the fresh fetch finds nothing
    expect((await onB('download', note.media)).status).toBe(404);
    const fresh = await onB('download', `${peer.serverName}/legacyfile`);
    expect(fresh.status).toBe(200);
  });

  it("lets B's admin quarantine cached remote media (404 for everyone until released) and purge the cache", async () => {
    const bytes = Buffer.from('quarantine me, then purge me');
    const media = mediaPath(await upload(a.url, aliceToken, bytes, 'text/plain'));
    expect((await onB('download', media)).status).toBe(200);
    const bAdmin = `@admin:${b.serverName}`;
    await b.server.app.get(AdminUsersService).upsert(bAdmin, { password: 'admin-pw', admin: true });
    const admin = new TestClient(
      b.url,
      (await new TestClient(b.url).loginPassword('admin', 'admin-pw')).body.access_token,
    );

    expect((await admin.post(`/_synapse/admin/v1/media/quarantine/${media}`, {})).status).toBe(200);
    const hidden = await onB('download', media);
    expect([hidden.status, hidden.json().errcode]).toEqual([404, 'M_NOT_FOUND']);
    expect((await onB('thumbnail', media, '?width=32&height=32')).status).toBe(404);
    expect((await admin.post(`/_synapse/admin/v1/media/unquarantine/${media}`, {})).status).toBe(200);
    expect((await onB('download', media)).status).toBe(200);
    expect((await admin.post(`/_synapse/admin/v1/media/quarantine/${a.serverName}/neverCached`, {})).status).toBe(404);

    const purged = await admin.post(
      `/_synapse/admin/v1/purge_media_cache?before_ts=${Date.now() + 24 * 3600 * 1000}`,
      {},
    );
    expect(purged.status).toBe(200);
    expect(purged.body.deleted).toBeGreaterThanOrEqual(1);
    expect(storedOnB(bytes)).toBe(false);
    // fetched anew from A on the next read
    expect((await onB('download', media)).status).toBe(200);
  });
});
