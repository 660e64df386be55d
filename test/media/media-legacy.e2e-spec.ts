import sharp from 'sharp';
import { signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';
import { mediaFetch, mediaPath, upload } from './media-http';

/** The deprecated unauthenticated /_matrix/media/v3 reads, frozen by default and served when the operator says so. */
describe.each([
  ['frozen (the default)', undefined],
  ['served', true],
])('legacy media endpoints, %s', (_label, served) => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let image: string;

  beforeAll(async () => {
    hs = await startTestHomeserver({
      config: {
        server_name: 'legacy.example',
        registration: 'open',
        ...(served ? { media: { legacy_unauthenticated_media: true } } : {}),
      },
    });
    ana = await signUp(hs.url, 'ana');
    const png = await sharp({ create: { width: 400, height: 300, channels: 3, background: 'teal' } })
      .png()
      .toBuffer();
    image = await upload(hs.url, ana.accessToken!, png, 'image/png', 'teal.png');
  });
  afterAll(() => hs.destroy());

  const paths = () => [
    `/_matrix/media/v3/download/${mediaPath(image)}`,
    `/_matrix/media/v3/download/${mediaPath(image)}/renamed.png`,
    `/_matrix/media/r0/download/${mediaPath(image)}?allow_remote=false`,
    `/_matrix/media/v3/thumbnail/${mediaPath(image)}?width=96&height=96&method=crop`,
  ];

  it(
    served ? 'serves downloads and thumbnails without a token' : 'answers downloads and thumbnails 404 M_NOT_FOUND',
    async () => {
      for (const path of paths()) {
        const res = await mediaFetch(`${hs.url}${path}`);
        if (served) {
          expect(res.status).toBe(200);
          expect(res.headers.get('content-type')).toBe('image/png');
          expect(res.headers.get('content-security-policy')).toContain("script-src 'none'");
        } else {
          expect(res.status).toBe(404);
          expect(res.json().errcode).toBe('M_NOT_FOUND');
        }
      }
    },
  );

  it('still uploads on v3 and r0, and serves the authenticated endpoints, whatever the setting', async () => {
    for (const prefix of ['v3', 'r0']) {
      const res = await mediaFetch(`${hs.url}/_matrix/media/${prefix}/upload?filename=a.txt`, {
        method: 'POST',
        token: ana.accessToken,
        body: 'hello',
        headers: { 'content-type': 'text/plain' },
      });
      expect(res.status).toBe(200);
      const back = await mediaFetch(`${hs.url}/_matrix/client/v1/media/download/${mediaPath(res.json().content_uri)}`, {
        token: ana.accessToken,
      });
      expect(back.bytes.toString()).toBe('hello');
    }
  });

  it('answers the legacy config to a signed-in client only', async () => {
    expect((await ana.get('/_matrix/media/v3/config')).body).toEqual({ 'm.upload.size': 50 * 1024 * 1024 });
    expect((await mediaFetch(`${hs.url}/_matrix/media/v3/config`)).status).toBe(401);
  });

  it('does not route preview_url yet', async () => {
    const res = await ana.get('/_matrix/client/v1/media/preview_url?url=https://example.org');
    expect(res.status).toBe(404);
    expect(res.body.errcode).toBe('M_UNRECOGNIZED');
  });
});
