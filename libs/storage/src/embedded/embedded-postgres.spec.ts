import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../data-source-options';
import { preparedStatement, queryPrepared } from '../prepared-statement';
import { EmbeddedDatabaseInUseError } from './data-directory-lock';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

interface PoolClient {
  release(destroy?: boolean): void;
}
interface Pool {
  connect(): Promise<PoolClient>;
  totalCount: number;
  options: { idleTimeoutMillis: number };
}

/** PGlite compiles its WebAssembly on each start: seconds on a quiet machine, far more on a loaded one. */
const STARTUP_TIMEOUT_MS = 120_000;
jest.setTimeout(STARTUP_TIMEOUT_MS);

const answer = preparedStatement('embedded_spec_answer', 'SELECT $1::int + 1 AS answer');

describe('the embedded database behaves like PostgreSQL across connections', () => {
  let database: EmbeddedPostgres;
  let dataSource: DataSource;

  beforeEach(async () => {
    database = await startEmbeddedPostgres({ directory: undefined, purpose: 'a test' });
    dataSource = await new DataSource(dataSourceOptions({ url: database.url, embedded: true }, [])).initialize();
  });
  afterEach(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.close();
  });

  const pool = () => (dataSource.driver as unknown as { master: Pool }).master;

  it('runs a named statement again on the connection that replaces a lost one', async () => {
    expect(await queryPrepared(dataSource.manager, answer, [41])).toEqual([{ answer: 42 }]);
    // The connection goes away (an idle timeout, a network hiccup); the session, in PGlite, stays.
    (await pool().connect()).release(true);
    expect(pool().totalCount).toBe(0);
    expect(await queryPrepared(dataSource.manager, answer, [1])).toEqual([{ answer: 2 }]);
  });

  it('is reached through a socket in a folder only its own user may enter, and leaves nothing behind', async () => {
    const folder = new URL(database.url).searchParams.get('host') as string;
    expect(new URL(database.url).port).toBe('');
    expect(fs.statSync(folder).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(folder)).toEqual(['.s.PGSQL.5432']);
    await dataSource.destroy();
    await database.close();
    expect(fs.existsSync(folder)).toBe(false);
  });

  it('keeps its one connection through idle time instead of reopening it', async () => {
    await dataSource.query('SELECT 1');
    expect(pool().options.idleTimeoutMillis).toBe(0);
    expect(pool().totalCount).toBe(1);
  });

  it('lets session settings die with their connection, as a new PostgreSQL backend would', async () => {
    const client = await pool().connect();
    await (client as unknown as { query(text: string): Promise<unknown> }).query('SET application_name = lingering');
    client.release(true);
    const [row] = await dataSource.query<{ application_name: string }[]>('SHOW application_name');
    expect(row?.application_name).not.toBe('lingering');
  });
});

describe('one process per embedded data directory', () => {
  let directory: string;

  beforeEach(() => {
    directory = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-embedded-')), 'db');
  });
  afterEach(() => fs.rmSync(path.dirname(directory), { recursive: true, force: true }));

  it('refuses a second opener at once, naming the owner', async () => {
    const first = await startEmbeddedPostgres({ directory, purpose: 'hearth start' });
    try {
      // The owner is this very process, which a lock never takes for alive; pretend another holds it.
      const lock = JSON.parse(fs.readFileSync(`${directory}.lock`, 'utf8')) as { pid: number };
      fs.writeFileSync(`${directory}.lock`, JSON.stringify({ ...lock, pid: process.ppid, startTime: undefined }));
      await expect(startEmbeddedPostgres({ directory, purpose: 'hearth admin' })).rejects.toThrow(
        EmbeddedDatabaseInUseError,
      );
      await expect(startEmbeddedPostgres({ directory, purpose: 'hearth admin' })).rejects.toThrow(
        new RegExp(`in use by another process \\(pid ${process.ppid}, hearth start since`),
      );
    } finally {
      await first.close();
    }
  });

  it('takes over the lock of a process that died without releasing it', async () => {
    fs.mkdirSync(directory, { recursive: true });
    fs.writeFileSync(
      `${directory}.lock`,
      JSON.stringify({ pid: 2 ** 22 + 1, purpose: 'hearth start', since: 'yesterday' }),
    );
    const database = await startEmbeddedPostgres({ directory, purpose: 'hearth start' });
    expect(JSON.parse(fs.readFileSync(`${directory}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
    await database.close();
    expect(fs.existsSync(`${directory}.lock`)).toBe(false);
  });
});
