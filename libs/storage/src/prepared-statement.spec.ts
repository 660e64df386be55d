import { Client } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { openMigratedDatabase, type MigratedDatabase } from '@hearth/testing';
import { dataSourceOptions } from './data-source-options';
import { preparedStatement, queryPrepared, queryPreparedAndCommit, queryPreparedSeries } from './prepared-statement';
import { TransactionRunner } from './transaction-runner';

const LOCK = preparedStatement(
  'spec_lock',
  'SELECT id FROM spec_items WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE',
);
const READ = preparedStatement('spec_read', 'SELECT id, note FROM spec_items WHERE id = ANY($1::int[]) ORDER BY id', {
  keyLookups: true,
});
const WRITE = preparedStatement(
  'spec_write',
  `INSERT INTO spec_items (id, note, doc, tags, blob) VALUES ($1, $2, $3::jsonb, $4::text[], $5::bytea)
   RETURNING id, note, doc, tags, blob`,
  { keyLookups: true },
);

type Item = { id: number; note: string | null };

/**
 * Prepared statements in one simple-query message once the connection has parsed them, on real
 * PostgreSQL, through a pool of one connection so that each transaction meets what the one before
 * left parsed. Every statement that reaches the driver is recorded.
 */
describe('prepared statements in one round trip', () => {
  let db: MigratedDatabase;
  let single: DataSource;
  let tx: TransactionRunner;
  let sent: string[];
  let spy: jest.SpyInstance;
  const original = Client.prototype.query;

  beforeAll(async () => {
    db = await openMigratedDatabase();
    await db.dataSource.query(
      'CREATE TABLE spec_items (id INTEGER PRIMARY KEY, note TEXT, doc JSONB, tags TEXT[], blob BYTEA)',
    );
    const options = dataSourceOptions({ url: db.url, embedded: false }, []);
    single = await new DataSource({ ...options, extra: { ...(options.extra as object), max: 1 } }).initialize();
    tx = new TransactionRunner(single);
  });

  afterAll(async () => {
    await single?.destroy();
    await db?.close();
  });

  beforeEach(async () => {
    await db.dataSource.query('TRUNCATE spec_items');
    await db.dataSource.query("INSERT INTO spec_items (id, note) VALUES (1, 'one'), (2, 'two')");
    sent = [];
    spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      const [first] = args;
      sent.push(typeof first === 'string' ? first : `(extended) ${(first as { name?: string }).name ?? '?'}`);
      return original.apply(this, args as never);
    });
  });

  afterEach(() => spy.mockRestore());

  const lockAndRead = (em: EntityManager, ids: number[]) =>
    queryPreparedSeries(em, [
      { statement: LOCK, values: [ids] },
      { statement: READ, values: [ids] },
    ]);

  const writeItem = (em: EntityManager, values: unknown[]) => queryPreparedAndCommit(em, WRITE, values);

  const sendBatch = (values: unknown[]) =>
    tx.run(
      async (em) => {
        const [locked, read] = await lockAndRead(em, [1, 2]);
        const written = await writeItem(em, values);
        return { locked, read, written };
      },
      { genericPlans: true },
    );

  it('sends a key-lookup transaction as two messages once the statements are parsed: begin, lock and read; write and commit', async () => {
    const first = await sendBatch([3, 'three', null, null, null]);
    expect(sent.some((text) => text.startsWith('(extended)'))).toBe(true);
    sent = [];

    const second = await sendBatch([4, 'four', null, null, null]);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(
      /^START TRANSACTION; SELECT set_config\('plan_cache_mode'.*; EXECUTE hearth_spec_lock_keyed \('\{"1","2"\}'\); EXECUTE hearth_spec_read_keyed \('\{"1","2"\}'\)$/,
    );
    expect(sent[1]).toMatch(/^EXECUTE hearth_spec_write_keyed \('4', 'four', NULL, NULL, NULL\); COMMIT$/);
    // The same answers either way.
    expect(second.locked).toEqual(first.locked);
    expect(second.read).toEqual(first.read);
    expect(second.read).toEqual([
      { id: 1, note: 'one' },
      { id: 2, note: 'two' },
    ]);
    expect(await db.dataSource.query('SELECT id FROM spec_items ORDER BY id')).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 3 },
      { id: 4 },
    ]);
  });

  it('gives values the same meaning as the extended protocol: quotes, backslashes, JSON, arrays with NULL', async () => {
    const note = `it's a \\back\\slash, "quoted", ünïcödé 🔥 and a ${"'".repeat(3)} run`;
    const doc = { body: "O'Neil said \\o/", nested: { list: [1, null, 'x"y'] } };
    const tags = ['a,b', null, '{braces}', 'back\\slash', "it's"];
    await sendBatch([5, 'parsed first', null, null, null]);
    sent = [];
    const { written } = await sendBatch([6, note, doc, tags, null]);
    expect(sent).toHaveLength(2);
    expect(written).toEqual([{ id: 6, note, doc, tags, blob: null }]);
  });

  it('sends a binary value through the extended protocol, which binds it as bytes', async () => {
    await sendBatch([7, 'parsed first', null, null, null]);
    sent = [];
    const blob = Buffer.from([0, 1, 2, 0xff]);
    const { written } = await sendBatch([8, 'bytes', null, null, blob]);
    expect(written).toEqual([{ id: 8, note: 'bytes', doc: null, tags: null, blob }]);
    expect(sent).toContain('(extended) hearth_spec_write_keyed');
  });

  it('runs each statement of the message with its own snapshot: a read after a lock wait sees what the holder committed', async () => {
    await sendBatch([9, 'parsed first', null, null, null]);
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM spec_items WHERE id = 1 FOR UPDATE');
      sent = [];
      const waiting = tx.run(
        async (em) => {
          const [, read] = await lockAndRead(em, [1]);
          return read;
        },
        { genericPlans: true },
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      await holder.query("UPDATE spec_items SET note = 'changed while locked' WHERE id = 1");
      await holder.query('COMMIT');
      expect(await waiting).toEqual([{ id: 1, note: 'changed while locked' }]);
      expect(sent[0]).toMatch(/EXECUTE hearth_spec_read_keyed/);
    } finally {
      await holder.end();
    }
  });

  it('rolls back when the statement sent with its COMMIT fails, and the connection serves the next transaction', async () => {
    await sendBatch([10, 'parsed first', null, null, null]);
    sent = [];
    await expect(sendBatch([1, 'a duplicate key', null, null, null])).rejects.toMatchObject({ code: '23505' });
    expect(sent).toEqual([expect.stringMatching(/^START TRANSACTION/), expect.stringMatching(/COMMIT$/), 'ROLLBACK']);
    const { written } = await sendBatch([11, 'after the failure', null, null, null]);
    expect(written).toEqual([{ id: 11, note: 'after the failure', doc: null, tags: null, blob: null }]);
    expect(await db.dataSource.query('SELECT id FROM spec_items WHERE id IN (1, 11) ORDER BY id')).toEqual([
      { id: 1 },
      { id: 11 },
    ]);
  });

  it('rolls back a transaction whose series fails, and keeps nothing it wrote', async () => {
    await sendBatch([12, 'parsed first', null, null, null]);
    await expect(
      tx.run(
        async (em) => {
          await em.query("INSERT INTO spec_items (id, note) VALUES (13, 'rolled back')");
          await queryPreparedSeries(em, [{ statement: READ, values: ['not a number'] }]);
        },
        { genericPlans: true },
      ),
    ).rejects.toMatchObject({ code: '22P02' });
    expect(await db.dataSource.query('SELECT id FROM spec_items WHERE id = 13')).toEqual([]);
  });

  it('sends a transaction that reads nothing through prepared statements as before: its START TRANSACTION first', async () => {
    await tx.run((em) => em.query("INSERT INTO spec_items (id, note) VALUES (14, 'plain')"), { genericPlans: true });
    expect(sent[0]).toMatch(/^START TRANSACTION; SELECT set_config/);
    expect(sent.slice(1)).toEqual(["INSERT INTO spec_items (id, note) VALUES (14, 'plain')", 'COMMIT']);
  });

  it('runs a key-lookup statement in another transaction with the settings around it, in the same message', async () => {
    await tx.run((em) => queryPrepared(em, READ, [[1]]));
    sent = [];
    const read = await tx.run((em) => queryPrepared<Item>(em, READ, [[1]]));
    expect(read).toEqual([{ id: 1, note: 'one' }]);
    expect(sent).toEqual([
      'START TRANSACTION',
      expect.stringMatching(
        /^SELECT set_config.*; EXECUTE hearth_spec_read_keyed \('\{"1"\}'\); SET LOCAL plan_cache_mode TO DEFAULT; SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL jit TO DEFAULT$/,
      ),
      'COMMIT',
    ]);
  });
});
