import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';

/** Unpacks a downloaded export (tar.gz) into file name → text, for assertions. */
export async function readArchive(bytes: Buffer): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const tar = extract();
  Readable.from(bytes).pipe(createGunzip()).pipe(tar);
  for await (const entry of tar) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    files.set(entry.header.name, Buffer.concat(chunks).toString('utf8'));
  }
  return files;
}

export function jsonLines(text: string | undefined): Array<Record<string, unknown>> {
  return (text ?? '')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
