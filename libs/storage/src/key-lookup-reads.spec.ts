import * as net from 'node:net';
import { openMigratedDatabase, type MigratedDatabase } from '@hearth/testing';
import { isConnectionFailure } from './database-availability';
import { KeyLookupReads } from './key-lookup-reads';

/** KeyLookupReads on real PostgreSQL: which connection answers, and with which plans. */
describe('KeyLookupReads', () => {
  let db: MigratedDatabase;
  let reads: KeyLookupReads;

  beforeAll(async () => {
    db = await openMigratedDatabase();
    reads = new KeyLookupReads({ url: db.url, embedded: false });
  });

  afterAll(async () => {
    await reads?.onApplicationShutdown();
    await db?.close();
  });

  const SETTINGS =
    "SELECT current_setting('plan_cache_mode') AS mode, current_setting('enable_seqscan') AS seqscan, current_setting('jit') AS jit";

  it('reads outside a transaction on connections that plan generic key lookups', async () => {
    expect(await reads.rows(db.dataSource.manager, SETTINGS, [])).toEqual([
      { mode: 'force_generic_plan', seqscan: 'off', jit: 'off' },
    ]);
  });

  it("keeps the operator's own session settings from the database URL beside its own", async () => {
    const url = new URL(db.url);
    url.searchParams.set('options', '-c statement_timeout=12345');
    const withOptions = new KeyLookupReads({ url: url.toString(), embedded: false });
    try {
      expect(
        await withOptions.rows(
          db.dataSource.manager,
          "SELECT current_setting('plan_cache_mode') AS mode, current_setting('statement_timeout') AS timeout",
          [],
        ),
      ).toEqual([{ mode: 'force_generic_plan', timeout: '12345ms' }]);
    } finally {
      await withOptions.onApplicationShutdown();
    }
  });

  it('prepares a statement once and runs it on its generic plan after', async () => {
    const lookup = 'SELECT position FROM stream_positions WHERE stream = ANY($1::text[])';
    for (let i = 0; i < 3; i++) await reads.rows(db.dataSource.manager, lookup, [['events', 'receipts']]);
    // One connection answers reads one at a time (the pool hands back the one just released).
    const [prepared] = await reads.rows<{ generic_plans: string; custom_plans: string }>(
      db.dataSource.manager,
      'SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1',
      [lookup],
    );
    expect(Number(prepared?.generic_plans)).toBe(3);
    expect(Number(prepared?.custom_plans)).toBe(0);
  });

  it("reads inside a transaction on the transaction's connection, seeing its own writes", async () => {
    const runner = db.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query("INSERT INTO stream_positions (stream, position) VALUES ('spec_stream', 7)");
      const rows = await reads.rows<{ position: string; mode: string }>(
        runner.manager,
        "SELECT position, current_setting('plan_cache_mode') AS mode FROM stream_positions WHERE stream = $1",
        ['spec_stream'],
      );
      expect(rows).toEqual([{ position: '7', mode: 'auto' }]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('reads through the data source for the embedded database, whose one session every connection shares', async () => {
    const embedded = new KeyLookupReads({ url: db.url, embedded: true });
    try {
      expect(await embedded.rows(db.dataSource.manager, SETTINGS, [])).toEqual([
        { mode: 'auto', seqscan: 'on', jit: 'on' },
      ]);
    } finally {
      await embedded.onApplicationShutdown();
    }
  });

  it('reads through the data source, warned once, behind a pooler that refuses session settings', async () => {
    const pooler = await refusingPooler();
    const behindPooler = new KeyLookupReads({
      url: `postgres://hearth@127.0.0.1:${pooler.port}/hearth`,
      embedded: false,
    });
    try {
      for (let i = 0; i < 2; i++)
        expect(await behindPooler.rows(db.dataSource.manager, SETTINGS, [])).toEqual([
          { mode: 'auto', seqscan: 'on', jit: 'on' },
        ]);
      expect(pooler.connections()).toBe(1);
    } finally {
      await behindPooler.onApplicationShutdown();
      pooler.server.close();
    }
  });

  it('fails a read with a connection failure while the database cannot be reached', async () => {
    const unreachable = new KeyLookupReads({ url: 'postgres://127.0.0.1:1/hearth', embedded: false });
    try {
      const failure: unknown = await unreachable
        .rows(db.dataSource.manager, SETTINGS, [])
        .catch((error: unknown) => error);
      expect(isConnectionFailure(failure)).toBe(true);
    } finally {
      await unreachable.onApplicationShutdown();
    }
  });
});

/** A listener that answers every startup as PgBouncer does when a client names `options` it does not track. */
async function refusingPooler(): Promise<{ server: net.Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.once('data', () => {
      const fields = Buffer.from('SFATAL\0C08P01\0Munsupported startup parameter: options\0\0');
      const header = Buffer.alloc(5);
      header.write('E', 0);
      header.writeInt32BE(fields.length + 4, 1);
      socket.end(Buffer.concat([header, fields]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port, connections: () => connections };
}
