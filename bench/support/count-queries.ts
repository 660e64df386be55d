/**
 * Preloaded into a bench's `hearth start` (`node --require`): counts every statement the process
 * sends to PostgreSQL (one `Client.query` is one round trip) and, on SIGUSR2, writes the counts
 * since the last signal, by statement shape, to HEARTH_QUERY_COUNT_FILE. With
 * HEARTH_PROFILE_WINDOWS_DIR it also writes a V8 CPU profile of each stretch between two signals
 * there (window-1.cpuprofile, ...), so that a bench's measured phases are profiled without its set-up.
 */
import * as fs from 'node:fs';
import { Session } from 'node:inspector';
import * as path from 'node:path';

const outFile = process.env.HEARTH_QUERY_COUNT_FILE;
const counts = new Map<string, number>();
let total = 0;

function shapeOf(query: unknown): string {
  const text = typeof query === 'string' ? query : ((query as { text?: string } | null)?.text ?? '?');
  return text.replace(/\s+/g, ' ').trim().slice(0, 140);
}

if (outFile) {
  // The homeserver's own copy of pg, resolved as its code resolves it.
  const pgPath = require.resolve('pg', { paths: [path.join(__dirname, '..', '..', '..')] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require(pgPath) as { Client: { prototype: { query: (...args: unknown[]) => unknown } } };
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(this: unknown, ...args: unknown[]) {
    const shape = shapeOf(args[0]);
    total++;
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
    return original.apply(this, args);
  };
  process.on('SIGUSR2', () => {
    const byShape = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
    fs.writeFileSync(outFile, JSON.stringify({ total, byShape }));
    counts.clear();
    total = 0;
  });
}

const profileDir = process.env.HEARTH_PROFILE_WINDOWS_DIR;
if (profileDir) {
  const session = new Session();
  session.connect();
  let window = 0;
  const start = () => session.post('Profiler.start');
  session.post('Profiler.enable', start);
  process.on('SIGUSR2', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error)
        fs.writeFileSync(path.join(profileDir, `window-${++window}.cpuprofile`), JSON.stringify(result.profile));
      start();
    });
  });
}
