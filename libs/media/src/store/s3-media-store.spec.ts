import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startTestS3Server, type TestS3Server } from '@hearth/testing';
import { ContentMissingError, ContentTooLargeError } from './media-store';
import { S3MediaStore } from './s3-media-store';

describe('S3MediaStore (against s3rver)', () => {
  let s3: TestS3Server;
  let store: S3MediaStore;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startTestS3Server();
    const credentials = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
    store = new S3MediaStore({
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      region: 'us-east-1',
      credentials,
      forcePathStyle: true,
      prefix: 'hearth/',
    });
    client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
  });
  afterAll(async () => {
    store.destroy();
    client.destroy();
    await s3.stop();
  });

  const keys = async (prefix: string) => {
    const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
    return (page.Contents ?? []).map((object) => object.Key);
  };

  it('keeps content under its sha256 and reads it back whole or by range', async () => {
    const put = await store.put(Readable.from([Buffer.from('hello '), Buffer.from('world')]), { maxBytes: 100 });
    expect(put.sha256).toBe(createHash('sha256').update('hello world').digest('hex'));
    expect(put.size).toBe(11);
    expect(await store.exists(put.sha256)).toBe(false);
    await put.keep();
    await put.keep();
    expect(await store.exists(put.sha256)).toBe(true);
    expect(await text(await store.get(put.sha256))).toBe('hello world');
    expect(await text(await store.get(put.sha256, { start: 6, end: 10 }))).toBe('world');
    expect(await keys('hearth/staging/')).toEqual([]);
    expect(await keys('hearth/content/')).toContain(`hearth/content/${put.sha256}`);
  });

  it('streams a body larger than one multipart part', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const chunks = Array.from({ length: 12 }, () => chunk);
    const put = await store.put(Readable.from(chunks), { maxBytes: 20 * 1024 * 1024 });
    await put.keep();
    const expected = createHash('sha256');
    chunks.forEach((c) => expected.update(c));
    expect(put.sha256).toBe(expected.digest('hex'));
    const back = createHash('sha256');
    for await (const part of await store.get(put.sha256)) back.update(part as Buffer);
    expect(back.digest('hex')).toBe(put.sha256);
  });

  it('refuses content past maxBytes and leaves nothing staged', async () => {
    const source = Readable.from([Buffer.alloc(60), Buffer.alloc(60)]);
    await expect(store.put(source, { maxBytes: 100 })).rejects.toBeInstanceOf(ContentTooLargeError);
    expect(await keys('hearth/staging/')).toEqual([]);
  });

  it('leaves nothing staged when the source fails midway, or when discarded', async () => {
    const failing = new Readable({ read() {} });
    failing.push(Buffer.alloc(10));
    setImmediate(() => failing.destroy(new Error('client hung up')));
    await expect(store.put(failing, { maxBytes: 100 })).rejects.toThrow('client hung up');
    const put = await store.put(Readable.from([Buffer.from('discarded')]), { maxBytes: 100 });
    await put.discard();
    expect(await keys('hearth/staging/')).toEqual([]);
    expect(await store.exists(put.sha256)).toBe(false);
  });

  it('answers ContentMissingError for absent content and deletes idempotently', async () => {
    const absent = createHash('sha256').update('never stored').digest('hex');
    await expect(store.get(absent)).rejects.toBeInstanceOf(ContentMissingError);
    await store.delete(absent);
    const put = await store.put(Readable.from([Buffer.from('short-lived')]), { maxBytes: 100 });
    await put.keep();
    await store.delete(put.sha256);
    expect(await store.exists(put.sha256)).toBe(false);
  });

  it('never turns a non-hash into a key', async () => {
    await expect(store.get('../../etc/passwd')).rejects.toThrow('not a content hash');
  });

  it('clears only staged objects older than a day', async () => {
    const pending = await store.put(Readable.from([Buffer.from('still uploading')]), { maxBytes: 100 });
    expect(await store.clearStaleStaging()).toBe(0);
    expect(await store.clearStaleStaging(Date.now() + 25 * 3600 * 1000)).toBe(1);
    expect(await keys('hearth/staging/')).toEqual([]);
    await pending.discard();
  });
});
