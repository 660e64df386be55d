import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import {
  createTestDatabase,
  HearthBuild,
  startTestS3Server,
  TEST_REDIS_URL,
  TestClient,
  usingEmbeddedFallback,
  type HearthProcess,
  type TestDatabase,
  type TestS3Server,
} from '@hearth/testing';
import { mediaFetch, mediaPath, upload } from './media-http';

const MEDIA = '/_matrix/client/v1/media';

/**
 * Two real `hearth start` processes on one PostgreSQL and one S3 bucket (a real s3rver): what is
 * uploaded through one is downloaded and thumbnailed through the other, and the bytes are in the
 * bucket, not on either process's disk.
 */
(usingEmbeddedFallback() ? describe.skip : describe)('media on S3 shared by two processes', () => {
  let hearth: HearthBuild;
  let database: TestDatabase;
  let s3: TestS3Server;
  let dataDir: string;
  let first: HearthProcess;
  let second: HearthProcess;

  beforeAll(async () => {
    hearth = new HearthBuild();
    database = await createTestDatabase();
    s3 = await startTestS3Server();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-s3-pair-'));
    const env = {
      HEARTH_SERVER_NAME: 'bucket.example',
      HEARTH_LISTEN: '127.0.0.1:0',
      HEARTH_DATA_DIR: dataDir,
      HEARTH_REGISTRATION: 'open',
      DATABASE_URL: database.url as string,
      REDIS_URL: TEST_REDIS_URL,
      HEARTH_MEDIA_STORE: 's3',
      HEARTH_MEDIA_S3_ENDPOINT: s3.endpoint,
      HEARTH_MEDIA_S3_BUCKET: s3.bucket,
      HEARTH_MEDIA_S3_ACCESS_KEY_ID: s3.accessKeyId,
      HEARTH_MEDIA_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      HEARTH_MEDIA_S3_FORCE_PATH_STYLE: 'true',
    };
    // One after the other: the first creates the signing key and runs the migrations.
    first = await hearth.start({ ...env, HEARTH_MEDIA_PATH: path.join(dataDir, 'media-first') });
    second = await hearth.start({ ...env, HEARTH_MEDIA_PATH: path.join(dataDir, 'media-second') });
  }, 90_000);

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await s3?.stop();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    hearth?.remove();
  });

  const register = async (url: string, name: string) => {
    const res = await new TestClient(url).registerOpen(name, 'pw');
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  };

  it('downloads and thumbnails through one process what was uploaded through the other', async () => {
    const ana = await register(first.url, 'ana');
    const bea = await register(second.url, 'bea');
    const image = await sharp({
      create: { width: 400, height: 300, channels: 3, background: { r: 200, g: 30, b: 90 } },
    })
      .png()
      .toBuffer();
    const mxc = await upload(first.url, ana, image, 'image/png', 'shared.png');

    const download = await mediaFetch(`${second.url}${MEDIA}/download/${mediaPath(mxc)}`, { token: bea });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(download.bytes.equals(image)).toBe(true);

    const ranged = await mediaFetch(`${second.url}${MEDIA}/download/${mediaPath(mxc)}`, {
      token: bea,
      headers: { range: 'bytes=0-7' },
    });
    expect(ranged.status).toBe(206);
    expect(ranged.bytes.equals(image.subarray(0, 8))).toBe(true);

    const thumbnail = await mediaFetch(
      `${second.url}${MEDIA}/thumbnail/${mediaPath(mxc)}?width=96&height=96&method=crop`,
      { token: bea },
    );
    expect(thumbnail.status).toBe(200);
    expect(await sharp(thumbnail.bytes).metadata()).toMatchObject({ width: 96, height: 96, format: 'png' });
    // the thumbnail the second process kept is served by the first from the bucket too
    const again = await mediaFetch(`${first.url}${MEDIA}/thumbnail/${mediaPath(mxc)}?width=96&height=96&method=crop`, {
      token: ana,
    });
    expect(again.status).toBe(200);
    expect(again.bytes.equals(thumbnail.bytes)).toBe(true);

    const sha256 = createHash('sha256').update(image).digest('hex');
    const bucketFiles = fs.readdirSync(path.join(s3.directory, s3.bucket), { recursive: true }).map(String);
    expect(bucketFiles.some((file) => file.includes(sha256))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'media-first', 'content'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'media-second', 'content'))).toBe(false);
  });

  it('deletes the bytes from the bucket when their owner deletes the upload on the other process', async () => {
    const cai = await register(first.url, 'cai');
    const body = Buffer.from('delete me from the bucket');
    const mxc = await upload(first.url, cai, body, 'text/plain');
    const mediaId = mxc.split('/').pop()!;
    const removed = await mediaFetch(`${second.url}/_hearth/client/v1/media/${mediaId}`, {
      method: 'DELETE',
      token: cai,
    });
    expect(removed.status).toBe(200);
    const gone = await mediaFetch(`${first.url}${MEDIA}/download/${mediaPath(mxc)}`, { token: cai });
    expect(gone.status).toBe(404);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const bucketFiles = fs.readdirSync(path.join(s3.directory, s3.bucket), { recursive: true }).map(String);
    expect(bucketFiles.some((file) => file.includes(sha256))).toBe(false);
  });
});
