import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';
import { mediaFetch, mediaPath, upload } from './media-http';

const solid = (width: number, height: number, background: string) =>
  sharp({ create: { width, height, channels: 3, background } });

async function animatedGif(width: number, height: number): Promise<Buffer> {
  const frames = [
    await solid(width, height, 'red').png().toBuffer(),
    await solid(width, height, 'blue').png().toBuffer(),
  ];
  return sharp(frames, { join: { animated: true } })
    .gif({ loop: 0 })
    .toBuffer();
}

/** A PNG whose header claims 30000 × 30000 pixels: decoding it would need gigabytes. */
async function pixelBomb(): Promise<Buffer> {
  const png = Buffer.from(await solid(1, 1, 'white').png().toBuffer());
  png.writeUInt32BE(30_000, 16);
  png.writeUInt32BE(30_000, 20);
  png.writeUInt32BE(zlib.crc32(png.subarray(12, 29)), 29);
  return png;
}

describe('media thumbnails', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  const uris: Record<string, string> = {};

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'thumbs.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    const token = ana.accessToken!;
    uris.png = await upload(hs.url, token, await solid(1000, 800, 'green').png().toBuffer(), 'image/png');
    uris.jpeg = await upload(hs.url, token, await solid(1200, 900, 'orange').jpeg().toBuffer(), 'image/jpeg');
    uris.gif = await upload(hs.url, token, await animatedGif(400, 300), 'image/gif');
    uris.webp = await upload(hs.url, token, await solid(640, 640, 'purple').webp().toBuffer(), 'image/webp');
    uris.tiny = await upload(hs.url, token, await solid(20, 20, 'black').png().toBuffer(), 'image/png');
  });
  afterAll(() => hs.destroy());

  const thumbnail = (mxc: string, query: string) =>
    mediaFetch(`${hs.url}/_matrix/client/v1/media/thumbnail/${mediaPath(mxc)}?${query}`, { token: ana.accessToken });
  const blobCount = () =>
    fs
      .readdirSync(path.join(hs.config.media.path, 'content'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile()).length;

  async function imageOf(bytes: Buffer) {
    const metadata = await sharp(bytes, { animated: true }).metadata();
    return {
      format: metadata.format,
      width: metadata.width,
      height: metadata.pageHeight ?? metadata.height,
      pages: metadata.pages ?? 1,
    };
  }

  it('scales a PNG inside the kept size that covers the request, never smaller than asked', async () => {
    const res = await thumbnail(uris.png!, 'width=320&height=240&method=scale');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="thumbnail.png"');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await imageOf(res.bytes)).toMatchObject({ format: 'png', width: 300, height: 240 });
    const larger = await thumbnail(uris.png!, 'width=500&height=400&method=scale');
    expect(await imageOf(larger.bytes)).toMatchObject({ width: 600, height: 480 });
    const beyond = await thumbnail(uris.png!, 'width=2000&height=2000&method=scale');
    expect(await imageOf(beyond.bytes)).toMatchObject({ width: 750, height: 600 });
  });

  it('crops to the exact box of the kept crop size', async () => {
    const small = await thumbnail(uris.png!, 'width=50&height=50&method=crop');
    expect(await imageOf(small.bytes)).toMatchObject({ width: 96, height: 96 });
    const tiny = await thumbnail(uris.png!, 'width=32&height=32&method=crop');
    expect(await imageOf(tiny.bytes)).toMatchObject({ width: 32, height: 32 });
  });

  it('keeps a JPEG a JPEG', async () => {
    const res = await thumbnail(uris.jpeg!, 'width=640&height=480&method=scale');
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(await imageOf(res.bytes)).toMatchObject({ format: 'jpeg', width: 640, height: 480 });
  });

  it('thumbnails WebP', async () => {
    const res = await thumbnail(uris.webp!, 'width=96&height=96&method=crop');
    expect(res.status).toBe(200);
    expect(await imageOf(res.bytes)).toMatchObject({ width: 96, height: 96 });
  });

  it('keeps a GIF animated only when animated=true is asked, as animated WebP', async () => {
    const animated = await thumbnail(uris.gif!, 'width=96&height=96&method=crop&animated=true');
    expect(animated.headers.get('content-type')).toBe('image/webp');
    expect(await imageOf(animated.bytes)).toMatchObject({ format: 'webp', width: 96, height: 96, pages: 2 });
    const still = await thumbnail(uris.gif!, 'width=96&height=96&method=crop&animated=false');
    expect(still.headers.get('content-type')).toBe('image/png');
    expect(await imageOf(still.bytes)).toMatchObject({ pages: 1 });
    const unasked = await thumbnail(uris.gif!, 'width=96&height=96&method=crop');
    expect(await imageOf(unasked.bytes)).toMatchObject({ pages: 1 });
    const stillJpegAnimated = await thumbnail(uris.jpeg!, 'width=96&height=96&method=crop&animated=true');
    expect(stillJpegAnimated.headers.get('content-type')).toBe('image/jpeg');
  });

  it('serves an image smaller than the size asked as it is, never enlarged', async () => {
    const original = await mediaFetch(`${hs.url}/_matrix/client/v1/media/download/${mediaPath(uris.tiny!)}`, {
      token: ana.accessToken,
    });
    const res = await thumbnail(uris.tiny!, 'width=96&height=96&method=crop');
    expect(res.status).toBe(200);
    expect(res.bytes.equals(original.bytes)).toBe(true);
  });

  it('computes a thumbnail once and keeps it', async () => {
    const first = await thumbnail(uris.webp!, 'width=640&height=480&method=scale');
    const blobs = blobCount();
    const second = await thumbnail(uris.webp!, 'width=600&height=400&method=scale');
    expect(second.bytes.equals(first.bytes)).toBe(true);
    expect(blobCount()).toBe(blobs);
  });

  it('answers media that is no image, or cannot be decoded, with a clean 400 and still serves the original', async () => {
    const text = await upload(hs.url, ana.accessToken!, 'plain words', 'text/plain');
    const notImage = await thumbnail(text, 'width=96&height=96');
    expect(notImage.status).toBe(400);
    expect(notImage.json().errcode).toBe('M_UNKNOWN');
    const broken = await upload(hs.url, ana.accessToken!, Buffer.from('\x89PNG\r\n\x1a\nnot really'), 'image/png');
    const undecodable = await thumbnail(broken, 'width=96&height=96&method=crop');
    expect(undecodable.status).toBe(400);
    expect(undecodable.json().errcode).toBe('M_UNKNOWN');
    const original = await mediaFetch(`${hs.url}/_matrix/client/v1/media/download/${mediaPath(broken)}`, {
      token: ana.accessToken,
    });
    expect(original.status).toBe(200);
    const svg = await upload(hs.url, ana.accessToken!, '<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/svg+xml');
    expect((await thumbnail(svg, 'width=96&height=96')).status).toBe(400);
  });

  it('refuses to decode an image too large to thumbnail with 413 M_TOO_LARGE', async () => {
    const bomb = await upload(hs.url, ana.accessToken!, await pixelBomb(), 'image/png');
    const res = await thumbnail(bomb, 'width=96&height=96&method=crop');
    expect(res.status).toBe(413);
    expect(res.json().errcode).toBe('M_TOO_LARGE');
  });

  it("removes the thumbnails' bytes with the last upload of their source", async () => {
    const before = blobCount();
    const mxc = await upload(hs.url, ana.accessToken!, await solid(500, 500, 'olive').png().toBuffer(), 'image/png');
    expect((await thumbnail(mxc, 'width=96&height=96&method=crop')).status).toBe(200);
    expect((await thumbnail(mxc, 'width=320&height=240&method=scale')).status).toBe(200);
    expect(blobCount()).toBe(before + 3);
    expect((await ana.delete(`/_hearth/client/v1/media/${mxc.split('/').pop()}`)).status).toBe(200);
    expect(blobCount()).toBe(before);
    expect((await thumbnail(mxc, 'width=96&height=96&method=crop')).status).toBe(404);
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await fetch(`${hs.url}/_matrix/client/v1/media/download/${mediaPath(uris.png!)}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${ana.accessToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('checks width, height and method', async () => {
    const missing = await thumbnail(uris.png!, 'height=96');
    expect(missing.status).toBe(400);
    expect(missing.json().errcode).toBe('M_MISSING_PARAM');
    for (const query of [
      'width=-1&height=96',
      'width=abc&height=96',
      'width=96&height=96&method=zoom',
      'width=0&height=1',
    ]) {
      const res = await thumbnail(uris.png!, query);
      expect(res.status).toBe(400);
      expect(res.json().errcode).toBe('M_INVALID_PARAM');
    }
  });
});
