import sharp from 'sharp';
import { federationRawGet, startFederatedPair, type FederatedPair } from '@hearth/testing';
import { mediaPath, upload } from './media-http';

const FEDERATION_MEDIA = '/_matrix/federation/v1/media';

/** Splits a multipart/mixed body into its parts' headers and bytes. */
function parts(contentType: string | null, body: Buffer): Array<{ headers: Record<string, string>; bytes: Buffer }> {
  const boundary = /boundary=([^;]+)/.exec(contentType ?? '')?.[1];
  if (!boundary) throw new Error(`no boundary in ${contentType}`);
  const text = body.toString('latin1');
  const end = text.indexOf(`\r\n--${boundary}--`);
  return text
    .slice(0, end)
    .split(new RegExp(`(?:^|\\r\\n)--${boundary}\\r\\n`))
    .slice(1)
    .map((part) => {
      const split = part.indexOf('\r\n\r\n');
      const headers = Object.fromEntries(
        part
          .slice(0, split)
          .split('\r\n')
          .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      return { headers, bytes: Buffer.from(part.slice(split + 4), 'latin1') };
    });
}

describe('Federation media: serving our users media to other servers (two real Hearths over TLS)', () => {
  let pair: FederatedPair;

  beforeAll(async () => {
    pair = await startFederatedPair();
  }, 60_000);
  afterAll(async () => {
    await Promise.all([pair?.a.destroy(), pair?.b.destroy()]);
  });

  const asB = (uri: string, authorization?: string | null) =>
    federationRawGet(pair.a.federationUrl, uri, {
      origin: pair.b.serverName,
      key: pair.b.signingKey,
      destination: pair.a.serverName,
      ...(authorization !== undefined ? { authorization } : {}),
    });

  it('answers download as multipart/mixed: empty JSON metadata, then the bytes with their headers', async () => {
    const body = Buffer.from('This media is plain text, sent over federation.');
    const mxc = await upload(pair.a.url, pair.alice.accessToken!, body, 'text/plain', 'note.txt');
    const mediaId = mediaPath(mxc).split('/')[1]!;
    const res = await asB(`${FEDERATION_MEDIA}/download/${mediaId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary=/);
    expect(Number(res.headers.get('content-length'))).toBe(res.bytes.length);
    const [metadata, media] = parts(res.headers.get('content-type'), res.bytes);
    expect(metadata!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(metadata!.bytes.toString())).toEqual({});
    expect(media!.headers['content-type']).toBe('text/plain');
    expect(media!.headers['content-disposition']).toContain('note.txt');
    expect(media!.bytes.equals(body)).toBe(true);
  });

  it('answers thumbnail as multipart/mixed with the thumbnail image', async () => {
    const image = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3366aa' } })
      .png()
      .toBuffer();
    const mxc = await upload(pair.a.url, pair.alice.accessToken!, image, 'image/png');
    const mediaId = mediaPath(mxc).split('/')[1]!;
    const res = await asB(`${FEDERATION_MEDIA}/thumbnail/${mediaId}?width=32&height=32&method=crop`);
    expect(res.status).toBe(200);
    const [, thumbnail] = parts(res.headers.get('content-type'), res.bytes);
    expect(thumbnail!.headers['content-type']).toBe('image/png');
    expect(await sharp(thumbnail!.bytes).metadata()).toMatchObject({ width: 32, height: 32 });
  });

  it('refuses unsigned requests, and answers unknown or malformed media IDs with Matrix errors', async () => {
    const unsigned = await asB(`${FEDERATION_MEDIA}/download/abc`, null);
    expect(unsigned.status).toBe(401);
    expect(JSON.parse(unsigned.bytes.toString()).errcode).toBe('M_UNAUTHORIZED');
    const unknown = await asB(`${FEDERATION_MEDIA}/download/doesNotExist`);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.bytes.toString()).errcode).toBe('M_NOT_FOUND');
    const traversal = await asB(`${FEDERATION_MEDIA}/download/..%2F..%2Fetc%2Fpasswd`);
    expect(traversal.status).toBe(400);
    expect(JSON.parse(traversal.bytes.toString()).errcode).toBe('M_INVALID_PARAM');
  });
});
