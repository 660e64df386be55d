import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initializeInHelperProcess, isInitialized } from './initialize-data-directory';

/** initdb in PGlite compiles its WebAssembly first: seconds on a quiet machine, far more on a loaded one. */
jest.setTimeout(120_000);

describe('initdb of a fresh embedded data directory in a helper process', () => {
  let parent: string;

  beforeEach(() => {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-initdb-'));
  });
  afterEach(() => fs.rmSync(parent, { recursive: true, force: true }));

  it('leaves a database PGlite resumes, with the settings written', async () => {
    const directory = path.join(parent, 'db');
    fs.mkdirSync(directory);
    expect(isInitialized(directory)).toBe(false);
    await initializeInHelperProcess(directory, ['shared_buffers = 16MB']);
    expect(isInitialized(directory)).toBe(true);
    expect(fs.readFileSync(path.join(directory, 'postgresql.conf'), 'utf8')).toContain('shared_buffers = 16MB');
  });

  it('leaves the directory empty, and no draft beside it, when initdb fails', async () => {
    const directory = path.join(parent, 'db');
    fs.mkdirSync(directory);
    await expect(initializeInHelperProcess(directory, ['shared_buffers = banana'])).rejects.toThrow(
      `could not create the embedded database in ${directory}`,
    );
    expect(fs.readdirSync(directory)).toEqual([]);
    expect(fs.existsSync(`${directory}.initdb`)).toBe(false);
  });

  it('names the directory and the cause when the helper fails', async () => {
    const notADirectory = path.join(parent, 'file');
    fs.writeFileSync(notADirectory, 'not a database');
    await expect(initializeInHelperProcess(path.join(notADirectory, 'db'), [])).rejects.toThrow(
      new RegExp(`could not create the embedded database in ${notADirectory}/db: .+`),
    );
  });
});
