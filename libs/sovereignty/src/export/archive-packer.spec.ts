import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readArchive } from '../../../../test/sovereignty/archive-reader';
import { packFolder } from './archive-packer';

describe('packFolder', () => {
  it('packs every file, in sub-folders too, empty ones included', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-pack-'));
    fs.mkdirSync(path.join(folder, 'rooms'));
    fs.writeFileSync(path.join(folder, 'manifest.json'), '{"version":1}\n');
    fs.writeFileSync(path.join(folder, 'rooms', '%21a%3Ax.jsonl'), '{"type":"m.room.message"}\n');
    fs.writeFileSync(path.join(folder, 'empty.jsonl'), '');
    const archive = path.join(folder, '..', `${path.basename(folder)}.tar.gz`);
    const size = await packFolder(folder, archive);
    expect(size).toBe(fs.statSync(archive).size);
    const files = await readArchive(fs.readFileSync(archive));
    expect([...files.entries()]).toEqual([
      ['empty.jsonl', ''],
      ['manifest.json', '{"version":1}\n'],
      ['rooms/%21a%3Ax.jsonl', '{"type":"m.room.message"}\n'],
    ]);
    fs.rmSync(folder, { recursive: true });
    fs.rmSync(archive);
  });
});
