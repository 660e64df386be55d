import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import {
  createTestDatabase,
  eventually,
  FakePeer,
  HearthBuild,
  makeTestCertificate,
  usingEmbeddedFallback,
  type HearthProcess,
  type TestDatabase,
} from '@hearth/testing';

const PDUS = 200;

/**
 * `kill -9` of the sending process in the middle of a batch, then a new process on the same
 * database: the peer still gets every PDU, and any it got twice came in a retry of the same
 * transaction ID, which its de-duplication drops.
 */
(usingEmbeddedFallback() ? describe.skip : describe)('delivery: a sender killed mid-batch loses nothing', () => {
  let hearth: HearthBuild;
  let database: TestDatabase;
  let dataDir: string;
  let peer: FakePeer;
  const processes: HearthProcess[] = [];

  beforeAll(async () => {
    hearth = new HearthBuild();
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-crash-'));
    peer = await FakePeer.start(makeTestCertificate());
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await peer?.close();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    hearth?.remove();
  });

  const env = () => ({
    HEARTH_SERVER_NAME: 'crash.example',
    HEARTH_LISTEN: '127.0.0.1:0',
    HEARTH_DATA_DIR: dataDir,
    DATABASE_URL: database.url as string,
    HEARTH_FEDERATION_VERIFY_TLS: 'false',
    // A killed sender's lease on the destination is the request timeout plus 5 s.
    HEARTH_FEDERATION_REQUEST_TIMEOUT_SECONDS: '2',
  });

  it('delivers every PDU after a kill -9 and a restart', async () => {
    expect(hearth.run(['migrate'], env()).status).toBe(0);
    // What the outbox holds is acknowledged work; the process finds it by sweeping at start.
    const client = new Client({ connectionString: database.url as string });
    await client.connect();
    await client.query(
      `INSERT INTO federation_outbox (destination, kind, payload, created_ts)
       SELECT $1, 'pdu', jsonb_build_object('room_id', '!r:crash.example', 'type', 'm.room.message', 'content', jsonb_build_object('seq', n)), 0
         FROM generate_series(0, $2 - 1) AS n ORDER BY n`,
      [peer.serverName, PDUS],
    );
    peer.mode = { kind: 'slow', delayMs: 400 };
    const first = await hearth.start(env());
    processes.push(first);
    await eventually(
      () => Promise.resolve(peer.received.length >= 1 ? true : undefined),
      'the first transaction',
      20_000,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const left = Number((await client.query('SELECT count(*) AS n FROM federation_outbox')).rows[0].n);
    expect(left).toBeGreaterThan(0);

    peer.mode = { kind: 'ok' };
    processes.push(await hearth.start(env()));
    await eventually(
      () => Promise.resolve(new Set(peer.sequence()).size === PDUS ? true : undefined),
      'every PDU at the peer',
      60_000,
    );
    const sequence = peer.sequence();
    // Once per transaction ID, each PDU exactly once, and in order.
    expect(sequence).toEqual(Array.from({ length: PDUS }, (_, i) => i));
    await eventually(
      async () =>
        Number((await client.query('SELECT count(*) AS n FROM federation_outbox')).rows[0].n) === 0 ? true : undefined,
      'an empty outbox',
    );
    await client.end();
  }, 120_000);
});
