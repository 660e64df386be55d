import * as fs from 'node:fs';
import * as path from 'node:path';
import { eventually, signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';
import { mediaFetch, mediaPath, rawRequest, upload } from './media-http';

const MAX = 1000;
const QUOTA = 3000;

/**
 * Every limit on uploads, and the bad input of issue 18: each answered with the spec's error, and
 * nothing half-written left in the store or the database.
 */
describe('media limits and bad input', () => {
  let hs: TestHomeserver;
  let host: string;

  beforeAll(async () => {
    hs = await startTestHomeserver({
      config: {
        server_name: 'limits.example',
        registration: 'open',
        media: { max_upload_bytes: MAX, quota_bytes_per_user: QUOTA },
        rate_limits: {
          login: { requests: 10_000, per_seconds: 60 },
          registration: { requests: 10_000, per_seconds: 60 },
          registration_token_validity: { requests: 10_000, per_seconds: 60 },
          media_upload: { requests: 5, per_seconds: 60 },
        },
      },
    });
    host = new URL(hs.url).host;
  });
  afterAll(() => hs.destroy());

  const staged = () => fs.readdirSync(path.join(hs.config.media.path, 'staging'));
  const ownMedia = async (client: TestClient) =>
    (await client.get('/_hearth/client/v1/media')).body.media as Array<{ size: number }>;
  const uploadHead = (client: TestClient, headers: string) =>
    `POST /_matrix/media/v3/upload HTTP/1.1\nHost: ${host}\nAuthorization: Bearer ${client.accessToken}\nConnection: close\n${headers}\n`;

  it('answers 413 M_TOO_LARGE from Content-Length alone, before reading the body, and closes', async () => {
    const ana = await signUp(hs.url, 'ana');
    const res = await rawRequest(hs.url, {
      head: uploadHead(ana, `Content-Type: image/png\nContent-Length: ${MAX + 1}\n`),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ errcode: 'M_TOO_LARGE' });
    expect(res.headers.connection).toBe('close');
    expect(await ownMedia(ana)).toEqual([]);
  });

  it('answers 413 mid-stream for a chunked body past the limit and keeps nothing', async () => {
    const bea = await signUp(hs.url, 'bea');
    const res = await mediaFetch(`${hs.url}/_matrix/media/v3/upload`, {
      method: 'POST',
      token: bea.accessToken,
      body: Buffer.alloc(MAX + 1),
    });
    expect(res.status).toBe(413);
    const chunked = await rawRequest(hs.url, {
      head: uploadHead(bea, 'Transfer-Encoding: chunked\n'),
      chunks: [Buffer.from(`${(MAX + 200).toString(16)}\r\n`), Buffer.alloc(MAX + 200), Buffer.from('\r\n0\r\n\r\n')],
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).errcode).toBe('M_TOO_LARGE');
    expect(staged()).toEqual([]);
    expect(await ownMedia(bea)).toEqual([]);
  });

  it('accepts exactly the limit', async () => {
    const cleo = await signUp(hs.url, 'cleo');
    const mxc = await upload(hs.url, cleo.accessToken!, Buffer.alloc(MAX, 7));
    expect(mxc).toMatch(/^mxc:\/\/limits\.example\//);
  });

  it('keeps nothing of a body cut short or a Content-Length that promised more', async () => {
    const dan = await signUp(hs.url, 'dan');
    const res = await rawRequest(hs.url, {
      head: uploadHead(dan, 'Content-Length: 800\n'),
      chunks: [Buffer.alloc(300)],
      hangUp: true,
    });
    expect(res.status).toBe(0);
    await eventually(() => Promise.resolve(staged().length === 0 ? true : undefined), 'the staged upload to go');
    expect(await ownMedia(dan)).toEqual([]);
    // the server must still be answering
    expect((await dan.get('/_matrix/client/v1/media/config')).status).toBe(200);
  });

  it('takes no more than a short Content-Length declares: the rest is a malformed next request', async () => {
    const eve = await signUp(hs.url, 'eve');
    const res = await rawRequest(hs.url, {
      head: uploadHead(eve, 'Content-Type: text/plain\nContent-Length: 5\n'),
      chunks: [Buffer.from('helloEXTRA')],
    });
    // Node answers the bytes after the declared body as a request of their own, with 400
    expect([200, 400]).toContain(res.status);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const media of await ownMedia(eve)) expect(media.size).toBe(5);
    expect(staged()).toEqual([]);
  });

  it('limits uploads per account, not per address', async () => {
    const fay = await signUp(hs.url, 'fay');
    const gus = await signUp(hs.url, 'gus');
    for (let i = 0; i < 5; i++) await upload(hs.url, fay.accessToken!, `fay ${i}`);
    const over = await mediaFetch(`${hs.url}/_matrix/media/v3/upload`, {
      method: 'POST',
      token: fay.accessToken,
      body: 'one too many',
    });
    expect(over.status).toBe(429);
    expect(over.json().errcode).toBe('M_LIMIT_EXCEEDED');
    expect(over.json().retry_after_ms).toBeGreaterThan(0);
    expect(await upload(hs.url, gus.accessToken!, 'gus is fine')).toMatch(/^mxc:/);
  });

  it('refuses uploads past the quota with 403 M_FORBIDDEN, before reading when Content-Length tells', async () => {
    const hal = await signUp(hs.url, 'hal');
    for (let i = 0; i < 3; i++) await upload(hs.url, hal.accessToken!, Buffer.alloc(900, i));
    const declared = await rawRequest(hs.url, { head: uploadHead(hal, 'Content-Length: 400\n') });
    expect(declared.status).toBe(403);
    expect(JSON.parse(declared.body).errcode).toBe('M_FORBIDDEN');
    const chunked = await rawRequest(hs.url, {
      head: uploadHead(hal, 'Transfer-Encoding: chunked\n'),
      chunks: [Buffer.from('190\r\n'), Buffer.alloc(400, 9), Buffer.from('\r\n0\r\n\r\n')],
    });
    expect(chunked.status).toBe(403);
    expect(staged()).toEqual([]);
    expect((await ownMedia(hal)).length).toBe(3);
    // deleting makes room again
    const [first] = (await hal.get('/_hearth/client/v1/media')).body.media as Array<{ media_id: string }>;
    await hal.delete(`/_hearth/client/v1/media/${first!.media_id}`);
    expect(await upload(hs.url, hal.accessToken!, Buffer.alloc(400, 1))).toMatch(/^mxc:/);
  });

  it("checks an asynchronous upload's bytes against the same limit", async () => {
    const ivy = await signUp(hs.url, 'ivy');
    const { content_uri } = (await ivy.post('/_matrix/media/v1/create', {})).body;
    const res = await mediaFetch(`${hs.url}/_matrix/media/v3/upload/${mediaPath(content_uri)}`, {
      method: 'PUT',
      token: ivy.accessToken,
      body: Buffer.alloc(MAX + 1),
    });
    expect(res.status).toBe(413);
    expect(res.json().errcode).toBe('M_TOO_LARGE');
    const retry = await mediaFetch(`${hs.url}/_matrix/media/v3/upload/${mediaPath(content_uri)}`, {
      method: 'PUT',
      token: ivy.accessToken,
      body: 'fits',
    });
    expect(retry.status).toBe(200);
  });
});
