import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';
import { mediaFetch, mediaPath, upload } from './media-http';

/** Every blob the filesystem store holds, by name (its sha256). */
function storedBlobs(hs: TestHomeserver): string[] {
  const root = path.join(hs.config.media.path, 'content');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

describe("media: upload, download and the owner's list", () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'media.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
  });
  afterAll(() => hs.destroy());

  const download = (mxc: string, token = bea.accessToken, headers: Record<string, string> = {}) =>
    mediaFetch(`${hs.url}/_matrix/client/v1/media/download/${mediaPath(mxc)}`, { token, headers });

  it('uploads bytes and serves them back whole to any signed-in user, with safe headers', async () => {
    const bytes = Buffer.from('War and Peace, chapter one');
    const mxc = await upload(hs.url, ana.accessToken!, bytes, 'text/plain', 'War and Peace.txt');
    expect(mxc).toMatch(/^mxc:\/\/media\.example\/[A-Za-z]{24}$/);
    const res = await download(mxc);
    expect(res.status).toBe(200);
    expect(res.bytes.equals(bytes)).toBe(true);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="War and Peace.txt"');
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
  });

  it('needs an access token on the authenticated endpoints', async () => {
    const mxc = await upload(hs.url, ana.accessToken!, 'secret');
    const anonymous = await mediaFetch(`${hs.url}/_matrix/client/v1/media/download/${mediaPath(mxc)}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json().errcode).toBe('M_MISSING_TOKEN');
    const noUpload = await mediaFetch(`${hs.url}/_matrix/media/v3/upload`, { method: 'POST', body: 'x' });
    expect(noUpload.status).toBe(401);
  });

  it('serves dangerous types as attachments, names non-ASCII files per RFC 8187, and lets the path rename', async () => {
    const html = await upload(hs.url, ana.accessToken!, '<script>alert(1)</script>', 'text/html', 'page.html');
    const res = await download(html);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="page.html"');
    const svg = await upload(hs.url, ana.accessToken!, '<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/svg+xml');
    expect((await download(svg)).headers.get('content-disposition')).toBe('attachment');
    const named = await upload(hs.url, ana.accessToken!, 'x', 'text/plain', 'Überraschung "quoted".txt');
    expect((await download(named)).headers.get('content-disposition')).toBe(
      "inline; filename*=utf-8''%C3%9Cberraschung%20%22quoted%22.txt",
    );
    const renamed = await mediaFetch(`${hs.url}/_matrix/client/v1/media/download/${mediaPath(named)}/other.txt`, {
      token: bea.accessToken,
    });
    expect(renamed.headers.get('content-disposition')).toBe('inline; filename="other.txt"');
  });

  it('stores content without a Content-Type as application/octet-stream, and a malformed one likewise', async () => {
    const res = await fetch(`${hs.url}/_matrix/media/v3/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ana.accessToken}` },
      body: new Blob([Buffer.from([1, 2, 3])]),
    });
    expect(res.status).toBe(200);
    const { content_uri } = (await res.json()) as { content_uri: string };
    expect((await download(content_uri)).headers.get('content-type')).toBe('application/octet-stream');
    const odd = await upload(hs.url, ana.accessToken!, 'y', 'not a media type');
    expect((await download(odd)).headers.get('content-type')).toBe('application/octet-stream');
  });

  it('answers byte ranges with 206, open and suffix ranges too, and 416 past the end', async () => {
    const bytes = Buffer.from('0123456789abcdefghij');
    const mxc = await upload(hs.url, ana.accessToken!, bytes, 'video/mp4');
    const part = await download(mxc, bea.accessToken, { range: 'bytes=5-9' });
    expect(part.status).toBe(206);
    expect(part.bytes.toString()).toBe('56789');
    expect(part.headers.get('content-range')).toBe('bytes 5-9/20');
    expect(part.headers.get('content-length')).toBe('5');
    expect((await download(mxc, bea.accessToken, { range: 'bytes=15-' })).bytes.toString()).toBe('fghij');
    expect((await download(mxc, bea.accessToken, { range: 'bytes=-3' })).bytes.toString()).toBe('hij');
    expect((await download(mxc, bea.accessToken, { range: 'bytes=18-100' })).bytes.toString()).toBe('ij');
    const beyond = await download(mxc, bea.accessToken, { range: 'bytes=20-' });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */20');
    const several = await download(mxc, bea.accessToken, { range: 'bytes=0-1,4-5' });
    expect(several.status).toBe(200);
    expect(several.bytes.equals(bytes)).toBe(true);
  });

  it('stores identical content once however many times it is uploaded', async () => {
    const bytes = Buffer.from(`same bytes ${Date.now()}`);
    const before = storedBlobs(hs).length;
    const first = await upload(hs.url, ana.accessToken!, bytes);
    const second = await upload(hs.url, bea.accessToken!, bytes);
    expect(first).not.toBe(second);
    expect(storedBlobs(hs).length).toBe(before + 1);
    expect(storedBlobs(hs)).toContain(createHash('sha256').update(bytes).digest('hex'));
  });

  it('streams a large upload through and back intact', async () => {
    const bytes = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32BE(i, i);
    const mxc = await upload(hs.url, ana.accessToken!, bytes, 'application/octet-stream');
    const res = await download(mxc);
    expect(res.bytes.length).toBe(bytes.length);
    expect(createHash('sha256').update(res.bytes).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('answers unknown media 404 and a media ID that could name a path 400, without touching the filesystem', async () => {
    const unknown = await download('mxc://media.example/AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.status).toBe(404);
    expect(unknown.json().errcode).toBe('M_NOT_FOUND');
    for (const id of ['..%2F..%2Fetc%2Fpasswd', '..', 'a.b', '%2e%2e']) {
      const res = await mediaFetch(`${hs.url}/_matrix/client/v1/media/download/media.example/${id}`, {
        token: bea.accessToken,
      });
      expect([400, 404]).toContain(res.status);
      expect(['M_INVALID_PARAM', 'M_UNRECOGNIZED', 'M_NOT_FOUND']).toContain(res.json().errcode);
    }
    const traversal = await mediaFetch(
      `${hs.url}/_matrix/client/v1/media/download/media.example/..%2F..%2Fetc%2Fpasswd`,
      {
        token: bea.accessToken,
      },
    );
    expect(traversal.status).toBe(400);
    expect(traversal.json().errcode).toBe('M_INVALID_PARAM');
    const badServer = await mediaFetch(`${hs.url}/_matrix/client/v1/media/download/bad_server!/abc`, {
      token: bea.accessToken,
    });
    expect(badServer.json().errcode).toBe('M_INVALID_PARAM');
    const longId = await mediaFetch(`${hs.url}/_matrix/client/v1/media/download/media.example/${'a'.repeat(300)}`, {
      token: bea.accessToken,
    });
    expect(longId.status).toBe(400);
    expect(longId.json().errcode).toBe('M_INVALID_PARAM');
    // a server that cannot be reached is the spec's 502; test/media/remote-media.e2e-spec.ts covers reachable ones
    const unreachable = await download('mxc://elsewhere.invalid/AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(unreachable.status).toBe(502);
    expect(unreachable.json().errcode).toBe('M_UNKNOWN');
  });

  it('refuses file names that are too long or hold control characters', async () => {
    const long = await mediaFetch(`${hs.url}/_matrix/media/v3/upload?filename=${'n'.repeat(256)}`, {
      method: 'POST',
      token: ana.accessToken,
      body: 'x',
    });
    expect(long.status).toBe(400);
    expect(long.json().errcode).toBe('M_INVALID_PARAM');
    const control = await mediaFetch(`${hs.url}/_matrix/media/v3/upload?filename=a%0D%0Ab`, {
      method: 'POST',
      token: ana.accessToken,
      body: 'x',
    });
    expect(control.json().errcode).toBe('M_INVALID_PARAM');
  });

  it('tells the upload limit on both config endpoints', async () => {
    const current = await ana.get('/_matrix/client/v1/media/config');
    expect(current.body).toEqual({ 'm.upload.size': 50 * 1024 * 1024 });
    expect((await ana.get('/_matrix/media/v3/config')).body).toEqual({ 'm.upload.size': 50 * 1024 * 1024 });
    expect((await ana.get('/_matrix/client/v1/media/config', '')).status).toBe(401);
  });

  describe('asynchronous uploads', () => {
    it('creates an ID first, takes its bytes later, once, and only from its creator', async () => {
      const created = await ana.post('/_matrix/media/v1/create', {});
      expect(created.status).toBe(200);
      const { content_uri, unused_expires_at } = created.body;
      expect(content_uri).toMatch(/^mxc:\/\/media\.example\//);
      expect(unused_expires_at).toBeGreaterThan(Date.now() + 23 * 3600 * 1000);
      const target = `${hs.url}/_matrix/media/v3/upload/${mediaPath(content_uri)}`;
      const stranger = await mediaFetch(target, { method: 'PUT', token: bea.accessToken, body: 'nope' });
      expect(stranger.status).toBe(403);
      expect(stranger.json().errcode).toBe('M_FORBIDDEN');
      const first = await mediaFetch(target, {
        method: 'PUT',
        token: ana.accessToken,
        body: 'late bytes',
        headers: { 'content-type': 'text/plain' },
      });
      expect(first.status).toBe(200);
      expect(first.json()).toEqual({});
      const again = await mediaFetch(target, { method: 'PUT', token: ana.accessToken, body: 'other' });
      expect(again.status).toBe(409);
      expect(again.json().errcode).toBe('M_CANNOT_OVERWRITE_MEDIA');
      const res = await download(content_uri);
      expect(res.bytes.toString()).toBe('late bytes');
      expect(res.headers.get('content-type')).toBe('text/plain');
    });

    it('answers a PUT to an ID never created, or of another server, 404', async () => {
      const unknown = await mediaFetch(`${hs.url}/_matrix/media/v3/upload/media.example/NeverCreatedNeverCreated`, {
        method: 'PUT',
        token: ana.accessToken,
        body: 'x',
      });
      expect(unknown.status).toBe(404);
      expect(unknown.json().errcode).toBe('M_NOT_FOUND');
      const created = (await ana.post('/_matrix/media/v1/create', {})).body.content_uri as string;
      const elsewhere = created.replace('media.example', 'other.example');
      const remote = await mediaFetch(`${hs.url}/_matrix/media/v3/upload/${mediaPath(elsewhere)}`, {
        method: 'PUT',
        token: ana.accessToken,
        body: 'x',
      });
      expect(remote.status).toBe(404);
    });

    it('makes a download wait for the bytes within timeout_ms, then answers 504 M_NOT_YET_UPLOADED', async () => {
      const { content_uri } = (await ana.post('/_matrix/media/v1/create', {})).body;
      const early = await mediaFetch(
        `${hs.url}/_matrix/client/v1/media/download/${mediaPath(content_uri)}?timeout_ms=300`,
        { token: bea.accessToken },
      );
      expect(early.status).toBe(504);
      expect(early.json().errcode).toBe('M_NOT_YET_UPLOADED');
      const waiting = mediaFetch(
        `${hs.url}/_matrix/client/v1/media/download/${mediaPath(content_uri)}?timeout_ms=10000`,
        {
          token: bea.accessToken,
        },
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await mediaFetch(`${hs.url}/_matrix/media/v3/upload/${mediaPath(content_uri)}`, {
        method: 'PUT',
        token: ana.accessToken,
        body: 'worth the wait',
      });
      const res = await waiting;
      expect(res.status).toBe(200);
      expect(res.bytes.toString()).toBe('worth the wait');
    });

    it('limits how many IDs may wait for bytes at once', async () => {
      const cleo = await signUp(hs.url, 'cleo');
      for (let i = 0; i < 5; i++) expect((await cleo.post('/_matrix/media/v1/create', {})).status).toBe(200);
      const sixth = await cleo.post('/_matrix/media/v1/create', {});
      expect(sixth.status).toBe(429);
      expect(sixth.body.errcode).toBe('M_LIMIT_EXCEEDED');
    });
  });

  describe("the owner's list", () => {
    it("lists only the caller's uploads, newest first and paged, and deletes them", async () => {
      const dan = await signUp(hs.url, 'dan');
      const uris = [];
      for (let i = 0; i < 3; i++)
        uris.push(await upload(hs.url, dan.accessToken!, `dan ${i}`, 'text/plain', `f${i}.txt`));
      const firstPage = await dan.get('/_hearth/client/v1/media?limit=2');
      expect(firstPage.status).toBe(200);
      expect(firstPage.body.media.map((m: { content_uri: string }) => m.content_uri)).toEqual([uris[2], uris[1]]);
      expect(firstPage.body.media[0]).toMatchObject({ content_type: 'text/plain', size: 5, upload_name: 'f2.txt' });
      const rest = await dan.get(`/_hearth/client/v1/media?limit=2&from=${firstPage.body.next_batch}`);
      expect(rest.body.media.map((m: { content_uri: string }) => m.content_uri)).toEqual([uris[0]]);
      expect(rest.body.next_batch).toBeUndefined();

      const id = uris[0]!.split('/').pop()!;
      const byOther = await bea.delete(`/_hearth/client/v1/media/${id}`);
      expect(byOther.status).toBe(404);
      expect((await dan.delete(`/_hearth/client/v1/media/${id}`)).status).toBe(200);
      expect((await download(uris[0]!)).status).toBe(404);
      expect((await dan.delete(`/_hearth/client/v1/media/${id}`)).status).toBe(404);
    });

    it('removes the bytes with the last upload that holds them, and keeps them while another does', async () => {
      const bytes = `shared ${Date.now()}`;
      const sha = createHash('sha256').update(bytes).digest('hex');
      const mine = await upload(hs.url, ana.accessToken!, bytes);
      const theirs = await upload(hs.url, bea.accessToken!, bytes);
      await ana.delete(`/_hearth/client/v1/media/${mine.split('/').pop()}`);
      expect(storedBlobs(hs)).toContain(sha);
      expect((await download(theirs)).bytes.toString()).toBe(bytes);
      await bea.delete(`/_hearth/client/v1/media/${theirs.split('/').pop()}`);
      expect(storedBlobs(hs)).not.toContain(sha);
    });
  });
});
