import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { FilesystemMediaStore } from './filesystem-media-store';
import { ContentMissingError, ContentTooLargeError } from './media-store';

describe('FilesystemMediaStore', () => {
  let root: string;
  let store: FilesystemMediaStore;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-media-store-'));
    store = new FilesystemMediaStore(root);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const stagedFiles = () => fs.readdirSync(path.join(root, 'staging'));

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
    expect(stagedFiles()).toEqual([]);
  });

  it('keeps identical content once, and a second keep of the same bytes is harmless', async () => {
    const first = await store.put(Readable.from([Buffer.from('same')]), { maxBytes: 100 });
    const second = await store.put(Readable.from([Buffer.from('same')]), { maxBytes: 100 });
    await first.keep();
    await second.keep();
    expect(first.sha256).toBe(second.sha256);
    const dir = path.join(root, 'content', first.sha256.slice(0, 2), first.sha256.slice(2, 4));
    expect(fs.readdirSync(dir)).toEqual([first.sha256]);
    expect(stagedFiles()).toEqual([]);
  });

  it('refuses content past maxBytes and leaves nothing staged', async () => {
    const source = Readable.from([Buffer.alloc(60), Buffer.alloc(60)]);
    await expect(store.put(source, { maxBytes: 100 })).rejects.toBeInstanceOf(ContentTooLargeError);
    expect(stagedFiles()).toEqual([]);
  });

  it('leaves nothing staged when the source fails midway, or when discarded', async () => {
    const failing = new Readable({ read() {} });
    failing.push(Buffer.alloc(10));
    setImmediate(() => failing.destroy(new Error('client hung up')));
    await expect(store.put(failing, { maxBytes: 100 })).rejects.toThrow('client hung up');
    const put = await store.put(Readable.from([Buffer.from('x')]), { maxBytes: 100 });
    await put.discard();
    expect(stagedFiles()).toEqual([]);
    expect(await store.exists(put.sha256)).toBe(false);
  });

  it('leaves nothing staged when the source fails before the staged file is even open', async () => {
    // A peer whose answer is already broken: the pipeline fails before the file's own open is done.
    const broken = new Readable({
      read() {
        this.destroy(new Error('truncated'));
      },
    });
    await expect(store.put(broken, { maxBytes: 100 })).rejects.toThrow('truncated');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stagedFiles()).toEqual([]);
  });

  it('answers missing content with ContentMissingError, deletes idempotently, and takes only hashes as keys', async () => {
    const absent = 'a'.repeat(64);
    await expect(store.get(absent)).rejects.toBeInstanceOf(ContentMissingError);
    await store.delete(absent);
    await expect(store.get('../../etc/passwd')).rejects.toThrow('not a content hash');
  });
});
