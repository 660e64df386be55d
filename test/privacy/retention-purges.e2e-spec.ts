import { Queue } from 'bullmq';
import { Client } from 'pg';
import { RegistrationTokensService } from '@hearth/accounts';
import { PurgeRunner, type PurgeReport } from '@hearth/retention';
import {
  createTestDatabase,
  signUp,
  startTestHomeserver,
  TestClient,
  TEST_REDIS_URL,
  usingEmbeddedFallback,
  type TestDatabase,
  type TestHomeserver,
} from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const DAY = 86_400_000;
const REMOTE = 'gone.example';

/** Every transient table, and which of its rows are transient (all, unless named). */
const TRANSIENT_ROWS: Readonly<Record<string, string>> = {
  access_tokens: 'expires_ts IS NOT NULL',
  local_media: 'sha256 IS NULL',
};
const TRANSIENT = [
  'uia_sessions',
  'event_txns',
  'to_device_txns',
  'federation_inbound_txns',
  'device_inbox',
  'federation_outbox',
  'event_push_actions',
  'server_keys',
  'server_key_documents',
  'access_tokens',
  'openid_tokens',
  'local_media',
  'sliding_sync_connections',
  'sliding_sync_positions',
] as const;

/**
 * Issue 21, item 3: each transient row the server keeps is purged once its documented lifetime
 * (docs/privacy.md, "Retention") has passed, and not before; what is not transient stays; two
 * processes on one database purging at once remove everything once between them.
 */
(usingEmbeddedFallback() ? describe.skip : describe)('retention purges', () => {
  let database: TestDatabase;
  let servers: TestHomeserver[];
  let sql: Client;
  let start: number;

  const count = async (table: string, where = 'true') =>
    Number((await sql.query(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)).rows[0].n);
  // One at a time: they share one connection (pg@9 refuses a query sent while another is running).
  const counts = async (): Promise<Record<string, number>> => {
    const found: Record<string, number> = {};
    for (const table of TRANSIENT) found[table] = await count(table, TRANSIENT_ROWS[table]);
    return found;
  };
  const purgeOn = (server: TestHomeserver, now: number): Promise<PurgeReport> =>
    server.server.app.get(PurgeRunner).runAll(now);

  /** A day's worth of transient rows: through the API where a client makes them, by SQL where another server would. */
  const makeTransientRows = async (server: TestHomeserver) => {
    const anonymous = new TestClient(server.url);
    expect((await anonymous.post(`${V3}/register`, { username: 'nobody-yet', password: 'pw' })).status).toBe(401);
    const ana = await signUp(server.url, 'ana');
    const bob = await signUp(server.url, 'bob');
    const bobPhone = await new TestClient(server.url).loginPassword('bob', 'pw', {
      device_id: 'BOBPHONE',
      refresh_token: true,
    });
    expect(bobPhone.status).toBe(200);
    const roomId = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    expect((await bob.post(`${V3}/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);
    const sent = await ana.put(`${V3}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t1`, {
      msgtype: 'm.text',
      body: 'bob: lunch?',
    });
    expect(sent.status).toBe(200);
    const toDevice = await ana.put(`${V3}/sendToDevice/m.test/td1`, {
      messages: { [`@bob:${server.config.serverName}`]: { BOBPHONE: { never: 'fetched' } } },
    });
    expect(toDevice.status).toBe(200);
    const openId = await ana.post(
      `${V3}/user/${encodeURIComponent(`@ana:${server.config.serverName}`)}/openid/request_token`,
      {},
    );
    expect(openId.status).toBe(200);
    expect((await ana.post('/_matrix/media/v1/create', {})).status).toBe(200);
    const sliding = await ana.post('/_matrix/client/unstable/org.matrix.simplified_msc3575/sync', {
      lists: { all: { ranges: [[0, 9]], timeline_limit: 1 } },
    });
    expect(sliding.status).toBe(200);
    const now = Date.now();
    await sql.query(
      `INSERT INTO federation_inbound_txns (origin, txn_id, response, received_ts) VALUES ($1, 'txn1', '{}', $2)`,
      [REMOTE, now],
    );
    await sql.query(
      `INSERT INTO federation_outbox (destination, kind, payload, created_ts) VALUES ($1, 'pdu', '{}', $2)`,
      [REMOTE, now],
    );
    await sql.query(
      `INSERT INTO server_keys (server_name, key_id, public_key, valid_until_ts, fetched_ts) VALUES ($1, 'ed25519:a', 'AAAA', $2, $2)`,
      [REMOTE, now + DAY],
    );
    await sql.query(
      `INSERT INTO server_key_documents (server_name, document, valid_until_ts, fetched_ts) VALUES ($1, '{}', $2, $2)`,
      [REMOTE, now + DAY],
    );
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const first = await startTestHomeserver({ database, config: { registration: 'open' } });
    const second = await startTestHomeserver({ database, config: { registration: 'open' } });
    servers = [first, second];
    sql = new Client({ connectionString: database.url as string });
    await sql.connect();
    start = Date.now();
    await makeTransientRows(first);
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    for (const server of servers ?? []) await server.stop();
    await database?.drop();
  });

  it('starts with a row of every kind', async () => {
    const before = await counts();
    for (const table of TRANSIENT) expect([table, before[table]]).toEqual([table, expect.any(Number)]);
    expect(Object.entries(before).filter(([, n]) => n === 0)).toEqual([]);
  });

  it('purges nothing that is younger than its lifetime', async () => {
    const before = await counts();
    const report = await purgeOn(servers[0] as TestHomeserver, start + 60_000);
    expect(Object.values(report).every((removed) => removed === 0)).toBe(true);
    expect(await counts()).toEqual(before);
  });

  it('purges UIA sessions after 15 minutes, and nothing else yet', async () => {
    await purgeOn(servers[0] as TestHomeserver, start + 16 * 60_000);
    expect(await count('uia_sessions')).toBe(0);
    expect(await count('event_txns')).toBeGreaterThan(0);
    expect(await count('openid_tokens')).toBeGreaterThan(0);
  });

  it('purges transaction IDs after a day and OpenID tokens at their expiry', async () => {
    await purgeOn(servers[0] as TestHomeserver, start + DAY + 60_000);
    for (const table of ['event_txns', 'to_device_txns', 'federation_inbound_txns', 'openid_tokens'])
      expect([table, await count(table)]).toEqual([table, 0]);
    expect(await count('device_inbox')).toBeGreaterThan(0);
  });

  it('holds a purge another process is running (its advisory lock) and skips it until the next run', async () => {
    const holder = new Client({ connectionString: database.url as string });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['hearth:retention:outbox-leftovers']);
      const report = await purgeOn(servers[1] as TestHomeserver, start + 8 * DAY);
      expect(report['outbox-leftovers']).toBe('skipped');
      expect(await count('federation_outbox')).toBe(1);
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
  });

  it('purges the rest after their lifetimes, from two processes at once, each row once', async () => {
    const usersBefore = await count('users');
    const eventsBefore = await count('events');
    const reports = await Promise.all(servers.map((server) => purgeOn(server, start + 40 * DAY)));
    expect(await counts()).toEqual(Object.fromEntries(TRANSIENT.map((table) => [table, 0])));
    // Between them, the two runs removed each kind's rows; where both ran a purge, the later found nothing.
    const removed = (name: string) =>
      reports.reduce((sum, report) => {
        const outcome = report[name];
        return sum + (typeof outcome === 'number' ? outcome : 0);
      }, 0);
    expect(removed('outbox-leftovers')).toBe(1);
    expect(removed('to-device')).toBe(1);
    expect(removed('remote-keys')).toBe(2);
    // Nothing that is not transient went with them.
    expect(await count('users')).toBe(usersBefore);
    expect(await count('events')).toBe(eventsBefore);
    expect(await count('devices', `device_id = 'BOBPHONE'`)).toBe(1);
  });
});

(usingEmbeddedFallback() ? describe.skip : describe)('the retention job on the queue', () => {
  it('is scheduled once on BullMQ, at retention.purge_interval_minutes, by every process that consumes', async () => {
    const serverName = `retention-${Date.now().toString(36)}.test`;
    const config = { server_name: serverName, redis_url: TEST_REDIS_URL, retention: { purge_interval_minutes: 15 } };
    const database = await createTestDatabase();
    const servers = [await startTestHomeserver({ database, config }), await startTestHomeserver({ database, config })];
    const queue = new Queue(`hearth-periodic-${serverName}`, { connection: { url: TEST_REDIS_URL } });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((scheduler) => [scheduler.key, scheduler.every])).toEqual([
        ['retention-purge', 15 * 60_000],
      ]);
    } finally {
      for (const server of servers) await server.stop();
      await queue.obliterate({ force: true });
      await queue.close();
      await database.drop();
    }
  }, 60_000);
});

(usingEmbeddedFallback() ? describe.skip : describe)('the UIA purge and registration tokens', () => {
  it("gives back the pending use an abandoned session held on its token, and no other token's", async () => {
    const server = await startTestHomeserver({ config: { server_name: 'work.example' } });
    const sql = new Client({ connectionString: server.config.databaseUrl });
    await sql.connect();
    try {
      const tokens = server.server.app.get(RegistrationTokensService);
      await tokens.create({ token: 'welcome-team', usesAllowed: 5 });
      await tokens.create({ token: 'other-team', usesAllowed: 5 });
      // Two sessions that passed the token stage and were then abandoned, as the UIA service leaves them.
      const now = Date.now();
      await sql.query(`UPDATE registration_tokens SET pending = 2 WHERE token = 'welcome-team'`);
      await sql.query(`UPDATE registration_tokens SET pending = 1 WHERE token = 'other-team'`);
      for (const [session, created] of [
        ['abandoned-1', now - 20 * 60_000],
        ['abandoned-2', now - 20 * 60_000],
      ] as const)
        await sql.query(
          `INSERT INTO uia_sessions (session_id, request_hash, user_id, completed, params, created_ts, registration_token)
           VALUES ($1, 'h', NULL, '["m.login.registration_token"]', '{}', $2, 'welcome-team')`,
          [session, created],
        );
      await sql.query(
        `INSERT INTO uia_sessions (session_id, request_hash, user_id, completed, params, created_ts, registration_token)
         VALUES ('still-going', 'h', NULL, '["m.login.registration_token"]', '{}', $1, 'other-team')`,
        [now],
      );
      const report = await server.server.app.get(PurgeRunner).runAll(now);
      expect(report['uia-sessions']).toBe(2);
      expect(await tokens.get('welcome-team')).toMatchObject({ pending: 0 });
      expect(await tokens.get('other-team')).toMatchObject({ pending: 1 });
      expect((await sql.query('SELECT session_id FROM uia_sessions')).rows).toEqual([{ session_id: 'still-going' }]);
    } finally {
      await sql.end();
      await server.destroy();
    }
  }, 60_000);
});

(usingEmbeddedFallback() ? describe.skip : describe)('the notifications purge and the unread counts', () => {
  it('takes old notifications out of the counts with them, and drops a count left at zero', async () => {
    const server = await startTestHomeserver({ config: { registration: 'open' } });
    const sql = new Client({ connectionString: server.config.databaseUrl });
    await sql.connect();
    try {
      const [ana, one, two] = await Promise.all(
        ['ana', 'reader-one', 'reader-two'].map((name) => signUp(server.url, name)),
      );
      const roomId = (await (ana as TestClient).post(`${V3}/createRoom`, { preset: 'public_chat' })).body
        .room_id as string;
      const path = `${V3}/rooms/${encodeURIComponent(roomId)}`;
      for (const reader of [one, two])
        await (reader as TestClient).post(`${V3}/join/${encodeURIComponent(roomId)}`, {});
      const send = async (txn: string, content: Record<string, unknown> = {}) =>
        (
          await (ana as TestClient).put(`${path}/send/m.room.message/${txn}`, {
            msgtype: 'm.text',
            body: txn,
            ...content,
          })
        ).body.event_id as string;
      const old1 = await send('old-1', { 'm.mentions': { user_ids: ['@reader-one:hearth.test'] } });
      const old2 = await send('old-2');
      // Reader two leaves before the fresh one: only old notifications are left for them.
      await (two as TestClient).post(`${path}/leave`, {});
      await send('fresh');
      // The first two from long ago (as a slow backfill or a stale room leaves them).
      await sql.query('UPDATE events SET origin_server_ts = $2 WHERE event_id = ANY($1::text[])', [
        [old1, old2],
        Date.now() - 40 * DAY,
      ]);
      const counts = async () =>
        (
          await sql.query<{ user_id: string; notifications: string; highlights: string }>(
            'SELECT user_id, notifications, highlights FROM event_push_summary WHERE room_id = $1 ORDER BY user_id',
            [roomId],
          )
        ).rows.map((row) => [row.user_id, Number(row.notifications), Number(row.highlights)]);
      expect(await counts()).toEqual([
        ['@reader-one:hearth.test', 3, 1],
        ['@reader-two:hearth.test', 2, 0],
      ]);

      // A backlog longer than one batch (1,000 a transaction), as a member who never reads leaves:
      // the runner comes back for it in transactions of their own.
      await sql.query(
        `INSERT INTO event_push_actions (user_id, room_id, event_id, stream_ordering, thread_id, highlight)
         SELECT '@reader-one:hearth.test', $1, $2, 1000000 + n, '', false FROM generate_series(1, 2500) n`,
        [roomId, old1],
      );
      await sql.query(
        `UPDATE event_push_summary SET notifications = notifications + 2500 WHERE user_id = '@reader-one:hearth.test'`,
      );

      const report = await server.server.app.get(PurgeRunner).runAll(Date.now());
      expect(report.notifications).toBe(2504);
      expect(await counts()).toEqual([['@reader-one:hearth.test', 1, 0]]);
      const left = await sql.query('SELECT user_id FROM event_push_actions WHERE room_id = $1', [roomId]);
      expect(left.rows).toEqual([{ user_id: '@reader-one:hearth.test' }]);
    } finally {
      await sql.end();
      await server.destroy();
    }
  }, 60_000);
});
