import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';

/**
 * Packs the files of `folder` (flat or one level of sub-folders) into `archivePath` as tar.gz.
 * Each file is streamed from disk: tar needs an entry's size before its bytes, so the export
 * writes every file to disk first and this packs them, never holding one whole in memory.
 */
export async function packFolder(folder: string, archivePath: string): Promise<number> {
  const tar = pack();
  const written = pipeline(tar, createGzip(), fs.createWriteStream(archivePath));
  for (const relative of listFiles(folder)) {
    const full = path.join(folder, relative);
    const { size, mtime } = fs.statSync(full);
    await new Promise<void>((resolve, reject) => {
      const entry = tar.entry({ name: relative, size, mtime }, (error) => (error ? reject(error) : resolve()));
      fs.createReadStream(full).on('error', reject).pipe(entry);
    });
  }
  tar.finalize();
  await written;
  return fs.statSync(archivePath).size;
}

function listFiles(folder: string, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(folder, prefix), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) =>
      entry.isDirectory()
        ? listFiles(folder, path.join(prefix, entry.name))
        : [path.join(prefix, entry.name).split(path.sep).join('/')],
    );
}
