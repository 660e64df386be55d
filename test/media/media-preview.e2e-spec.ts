import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { PurgeRunner } from '@hearth/retention';
import { signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';
import { mediaFetch, mediaPath } from './media-http';

const PREVIEW = '/_matrix/client/v1/media/preview_url';
const MAX_PAGE_BYTES = 64 * 1024;

/** Issue 18, item 6: URL previews against a real web server on loopback. */
describe('URL previews', () => {
  let site: http.Server;
  let siteUrl: string;
  const hits = new Map<string, number>();
  let png: Buffer;
  let open: TestHomeserver;
  let strict: TestHomeserver;
  let off: TestHomeserver;
  let ana: TestClient;

  const preview = (client: TestClient, url: string) => client.get(`${PREVIEW}?url=${encodeURIComponent(url)}`);

  beforeAll(async () => {
    png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    site = http.createServer((req, res) => serveSite(req, res));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    const previews = {
      enabled: true,
      allowed_ip_ranges: ['127.0.0.1/32'],
      max_page_bytes: MAX_PAGE_BYTES,
      timeout_seconds: 2,
    };
    // one after another: three embedded databases migrating at once outrun the hook's time on a busy machine
    open = await startTestHomeserver({
      config: { server_name: 'open.example', registration: 'open', media: { url_previews: previews } },
    });
    strict = await startTestHomeserver({
      config: { server_name: 'strict.example', registration: 'open', media: { url_previews: { enabled: true } } },
    });
    off = await startTestHomeserver({ config: { server_name: 'off.example', registration: 'open' } });
    ana = await signUp(open.url, 'ana');
  }, 180_000);
  afterAll(async () => {
    await Promise.all([open?.destroy(), strict?.destroy(), off?.destroy()]);
    site.closeAllConnections();
    await new Promise((resolve) => site.close(resolve));
  }, 60_000);

  function serveSite(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const port = (site.address() as AddressInfo).port;
    const routes: Record<string, () => void> = {
      '/page': () => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><html><head><title>Fallback</title>
          <meta property="og:title" content="Hearth &amp; home">
          <meta property="og:description" content="A page about fires">
          <meta property="og:image" content="/cover.png"></head><body><p>Hello</p></body></html>`);
      },
      '/cover.png': () => {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
        res.end(png);
      },
      '/moved': () => {
        res.writeHead(302, { location: '/page' });
        res.end();
      },
      '/to-blocked': () => {
        res.writeHead(302, { location: `http://127.0.0.2:${port}/page` });
        res.end();
      },
      '/loop': () => {
        res.writeHead(302, { location: '/loop' });
        res.end();
      },
      '/big': () => {
        res.writeHead(200, { 'content-type': 'text/html', 'content-length': MAX_PAGE_BYTES * 2 });
        res.end('x'.repeat(MAX_PAGE_BYTES * 2));
      },
      '/big-chunked': () => {
        res.writeHead(200, { 'content-type': 'text/html' });
        for (let i = 0; i < 8; i += 1) res.write(`<p>${'y'.repeat(16 * 1024)}</p>`);
        res.end();
      },
      '/slow': () => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><head>'); // and never more
      },
      '/file.bin': () => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end('binary');
      },
    };
    const route = routes[path];
    if (route) return route();
    res.writeHead(404);
    res.end();
  }

  it('previews a page from its Open Graph tags, with its image kept as our media', async () => {
    const res = await preview(ana, `${siteUrl}/page`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      'og:title': 'Hearth & home',
      'og:description': 'A page about fires',
      'og:image': expect.stringMatching(/^mxc:\/\/open\.example\/[A-Za-z0-9_-]+$/),
      'og:image:type': 'image/png',
      'og:image:width': 40,
      'og:image:height': 30,
      'matrix:image:size': png.length,
    });
    const image = await mediaFetch(`${open.url}/_matrix/client/v1/media/download/${mediaPath(res.body['og:image'])}`, {
      token: ana.accessToken,
    });
    expect(image.bytes).toEqual(png);

    // cached: asking again does not fetch the page again
    const again = await preview(ana, `${siteUrl}/page`);
    expect(again.body).toEqual(res.body);
    expect(hits.get('/page')).toBe(1);
  });

  it('describes an image URL by its metadata', async () => {
    const res = await preview(ana, `${siteUrl}/cover.png?direct`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      'og:image:type': 'image/png',
      'og:image:width': 40,
      'matrix:image:size': png.length,
    });
    expect(res.body['og:image']).toMatch(/^mxc:\/\/open\.example\//);
  });

  it('follows a redirect, checking the address it leads to, and gives up after too many', async () => {
    expect((await preview(ana, `${siteUrl}/moved`)).body['og:title']).toBe('Hearth & home');
    const blocked = await preview(ana, `${siteUrl}/to-blocked`);
    expect([blocked.status, blocked.body.errcode]).toEqual([403, 'M_UNKNOWN']);
    const loop = await preview(ana, `${siteUrl}/loop`);
    expect(loop.status).toBe(502);
    expect(hits.get('/loop')).toBe(6);
  });

  it('refuses a page over the size limit cleanly, whether or not it says its length', async () => {
    for (const path of ['/big', '/big-chunked']) {
      const res = await preview(ana, `${siteUrl}${path}`);
      expect([res.status, res.body.errcode]).toEqual([502, 'M_TOO_LARGE']);
    }
    expect((await preview(ana, `${siteUrl}/page`)).status).toBe(200);
  });

  it('gives up on a page that does not finish in time', async () => {
    const started = Date.now();
    const res = await preview(ana, `${siteUrl}/slow`);
    expect([res.status, res.body.errcode]).toEqual([502, 'M_UNKNOWN']);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('keeps a preview for the cache time only: the retention job purges it and the page is fetched anew', async () => {
    const before = hits.get('/page') ?? 0;
    await open.server.app.get(PurgeRunner).runAll(Date.now() + 2 * 60 * 60 * 1000);
    expect((await preview(ana, `${siteUrl}/page`)).status).toBe(200);
    expect(hits.get('/page')).toBe(before + 1);
  });

  it('answers an empty preview for content that is neither a page nor an image', async () => {
    const res = await preview(ana, `${siteUrl}/file.bin`);
    expect([res.status, res.body]).toEqual([200, {}]);
  });

  it('refuses loopback and private addresses unless allowed, by address and by host name', async () => {
    const bea = await signUp(strict.url, 'bea');
    const before = hits.get('/page') ?? 0;
    const byAddress = await preview(bea, `${siteUrl}/page`);
    expect([byAddress.status, byAddress.body.errcode]).toEqual([403, 'M_UNKNOWN']);
    const byName = await preview(bea, `${siteUrl.replace('127.0.0.1', 'localhost')}/page`);
    expect([byName.status, byName.body.errcode]).toEqual([403, 'M_UNKNOWN']);
    for (const url of [
      'http://10.0.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      expect((await preview(bea, url)).status).toBe(403);
    }
    expect(hits.get('/page') ?? 0).toBe(before);
  });

  it('refuses bad URLs and callers without a token', async () => {
    expect((await ana.get(PREVIEW)).body.errcode).toBe('M_MISSING_PARAM');
    expect((await preview(ana, 'not a url')).body.errcode).toBe('M_INVALID_PARAM');
    expect((await preview(ana, 'file:///etc/passwd')).body.errcode).toBe('M_INVALID_PARAM');
    expect((await preview(ana, 'ftp://example.org/')).status).toBe(400);
    expect((await ana.get(`${PREVIEW}?url=${encodeURIComponent(`${siteUrl}/page`)}&ts=yesterday`)).status).toBe(400);
    const anonymous = await mediaFetch(`${open.url}${PREVIEW}?url=${encodeURIComponent(`${siteUrl}/page`)}`);
    expect(anonymous.status).toBe(401);
  });

  it('answers as Synapse does when previews are off: not a known endpoint', async () => {
    const cai = await signUp(off.url, 'cai');
    const res = await preview(cai, `${siteUrl}/page`);
    expect([res.status, res.body.errcode]).toEqual([404, 'M_UNRECOGNIZED']);
    // the legacy path is frozen with the other unauthenticated media reads
    const legacy = await cai.get(`/_matrix/media/v3/preview_url?url=${encodeURIComponent(`${siteUrl}/page`)}`);
    expect(legacy.status).toBe(404);
  });
});
