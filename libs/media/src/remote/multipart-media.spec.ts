import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { MalformedAnswerError } from './byte-reader';
import { boundaryOf, readMultipartMedia } from './multipart-media';

const BOUNDARY = 'gc0p4Jq0M2Yt08jU534c0p';
const TYPE = `multipart/mixed; boundary=${BOUNDARY}`;

function answer(media: string, closing = `\r\n--${BOUNDARY}--\r\n`): string {
  return `--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{"a":1}\r\n` + `--${BOUNDARY}\r\n${media}${closing}`;
}

/** The body cut into chunks of `size` bytes, so delimiters straddle chunk edges. */
function chunked(text: string | Buffer, size: number): Readable {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1');
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
}

describe('readMultipartMedia', () => {
  it.each([1, 3, 7, 64, 4096])('streams the media part whatever the chunking (%d bytes)', async (size) => {
    const content = Buffer.from(`--${BOUNDARY.slice(0, 10)} looks like a boundary\r\n--but is not\r\n`.repeat(50));
    const body = answer(`Content-Type: text/plain\r\n\r\n${content.toString('latin1')}`);
    const media = await readMultipartMedia(chunked(body, size), TYPE);
    expect(media.metadata).toEqual({ a: 1 });
    expect(media.headers['content-type']).toBe('text/plain');
    expect((await buffer(Readable.from(media.bytes!))).equals(content)).toBe(true);
  });

  it('answers a Location part without bytes', async () => {
    const media = await readMultipartMedia(chunked(answer('Location: https://cdn.example/file\r\n\r\n', ''), 5), TYPE);
    expect(media.location).toBe('https://cdn.example/file');
    expect(media.bytes).toBeUndefined();
  });

  it('fails the bytes when the body ends before the closing delimiter', async () => {
    const media = await readMultipartMedia(chunked(answer('Content-Type: text/plain\r\n\r\nhalf a fi', ''), 4), TYPE);
    await expect(buffer(Readable.from(media.bytes!))).rejects.toBeInstanceOf(MalformedAnswerError);
  });

  it.each([
    ['garbage', 'this is no multipart body at all'],
    [
      'metadata that is not JSON',
      `--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{nope\r\n--${BOUNDARY}\r\n\r\n`,
    ],
    ['no media part', `--${BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${BOUNDARY}--\r\n`],
    ['a first part that is not JSON', `--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\n{}\r\n--${BOUNDARY}\r\n\r\n`],
    ['endless headers', `--${BOUNDARY}\r\n${'X: y\r\n'.repeat(100)}`],
  ])('refuses %s', async (_name, body) => {
    await expect(readMultipartMedia(chunked(body, 16), TYPE)).rejects.toBeInstanceOf(MalformedAnswerError);
  });

  it('reads quoted and unquoted boundaries, and refuses other types', () => {
    expect(boundaryOf('multipart/mixed; boundary="a b"')).toBe('a b');
    expect(boundaryOf('Multipart/Mixed;charset=x; boundary=abc')).toBe('abc');
    expect(() => boundaryOf('multipart/form-data; boundary=abc')).toThrow(MalformedAnswerError);
    expect(() => boundaryOf('application/json')).toThrow(MalformedAnswerError);
  });
});
