import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Runs in a helper Node process (`node -e`), so that it needs no build step and works the same
 * from dist/ and from jest: opening PGlite on an empty directory runs initdb, then closes.
 * argv: the folder to resolve PGlite from, the data directory, the settings as JSON.
 */
const INITDB_SCRIPT = `
const [, base, directory, settings] = process.argv;
const { PGlite } = require(require.resolve('@electric-sql/pglite', { paths: [base] }));
PGlite.create(directory, { postgresqlconf: JSON.parse(settings) })
  .then((db) => db.close())
  .catch((error) => { process.stderr.write(String((error && error.stack) || error)); process.exit(1); });
`;

/** The test PGlite itself makes: it resumes a directory holding PG_VERSION and runs initdb in any other. */
export function isInitialized(directory: string): boolean {
  return fs.existsSync(path.join(directory, 'PG_VERSION'));
}

/**
 * Creates the database files in `directory` in a short-lived process. initdb's WASM instances and
 * buffers take ~670 MB at their peak; freed in this process, most of it would stay in the heap
 * (glibc keeps it, V8 does not give it back), so a first start would idle 130 MB above a restart.
 * The caller holds the directory's lock; the helper is its hands and takes none of its own.
 *
 * An empty `directory` is built beside it and renamed into place, so an initdb cut short (Ctrl-C
 * during a slow first start) leaves no half-made database that the next start would resume.
 */
export async function initializeInHelperProcess(directory: string, settings: readonly string[]): Promise<void> {
  if (!isEmptyDirectory(directory)) return runInitdb(directory, directory, settings);
  const draft = `${directory}.initdb`;
  fs.rmSync(draft, { recursive: true, force: true });
  try {
    await runInitdb(draft, directory, settings);
    fs.renameSync(draft, directory);
  } finally {
    fs.rmSync(draft, { recursive: true, force: true });
  }
}

/**
 * `--liftoff-only`: the helper lives for seconds, so V8's optimising WebAssembly tier would only
 * compile PostgreSQL's hot functions a second time. Without it the helper peaked at 780-790 MB and
 * took 7.5-10.7 s; with it 669 MB and 4.3-8.2 s (`/usr/bin/time -v`, alternating, three runs each).
 */
const HELPER_NODE_FLAGS = ['--liftoff-only'];

function runInitdb(target: string, directory: string, settings: readonly string[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      [...HELPER_NODE_FLAGS, '-e', INITDB_SCRIPT, __dirname, target, JSON.stringify(settings)],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (!error) return resolve();
        const detail = stderr.trim().split('\n').slice(-5).join('\n') || error.message;
        reject(new Error(`could not create the embedded database in ${directory}: ${detail}`));
      },
    );
  });
}

function isEmptyDirectory(directory: string): boolean {
  try {
    return fs.readdirSync(directory).length === 0;
  } catch {
    return false;
  }
}
