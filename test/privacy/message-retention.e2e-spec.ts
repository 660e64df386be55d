import { Client } from 'pg';
import { PurgeRunner } from '@hearth/retention';
import {
  signUp,
  startTestHomeserver,
  usingEmbeddedFallback,
  type LooseBody,
  type TestClient,
  type TestHomeserver,
} from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const DAY = 86_400_000;

/**
 * Issue 21, item 3, messages: rooms' m.room.retention (MSC1763) within the operator's limits, and
 * redacted events' original content, purged from the store to redacted copies; state, the DAG
 * and everything younger stay.
 */
(usingEmbeddedFallback() ? describe.skip : describe)('message retention', () => {
  let server: TestHomeserver;
  let ana: TestClient;
  let sql: Client;
  let start: number;
  const rooms: Record<'short' | 'none' | 'long', string> = { short: '', none: '', long: '' };
  const sent: Record<string, string> = {};

  const createRoom = async (name: string, retention?: LooseBody) => {
    const res = await ana.post(`${V3}/createRoom`, {
      preset: 'private_chat',
      name,
      ...(retention ? { initial_state: [{ type: 'm.room.retention', state_key: '', content: retention }] } : {}),
    });
    expect(res.status).toBe(200);
    return res.body.room_id as string;
  };
  const send = async (roomId: string, body: string) => {
    const res = await ana.put(
      `${V3}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${body.replace(/\W/g, '')}`,
      {
        msgtype: 'm.text',
        body,
      },
    );
    expect(res.status).toBe(200);
    sent[body] = res.body.event_id as string;
  };
  /** What this server stores of the event: its content, and whether the purge has been at it. */
  const stored = async (body: string) => {
    const { rows } = await sql.query<{ content: LooseBody; purged: boolean }>(
      `SELECT pdu->'content' AS content, content_purged_ts IS NOT NULL AS purged FROM events WHERE event_id = $1`,
      [sent[body]],
    );
    return rows[0];
  };
  const purge = (now: number) => server.server.app.get(PurgeRunner).runAll(now);

  beforeAll(async () => {
    server = await startTestHomeserver({
      config: { registration: 'open', retention: { message_min_days: 1, message_max_days: 30 } },
    });
    sql = new Client({ connectionString: server.config.databaseUrl });
    await sql.connect();
    ana = await signUp(server.url, 'ana');
    start = Date.now();
    rooms.short = await createRoom('Two days', { max_lifetime: 2 * DAY });
    rooms.none = await createRoom('No policy');
    rooms.long = await createRoom('A year, clamped to 30 days', { max_lifetime: 365 * DAY });
    await send(rooms.short, 'short-lived plans');
    await send(rooms.none, 'kept a month');
    await send(rooms.none, 'oops, my password');
    await send(rooms.long, 'kept at most a month');
    const redaction = await ana.put(
      `${V3}/rooms/${encodeURIComponent(rooms.none)}/redact/${encodeURIComponent(sent['oops, my password'] as string)}/r1`,
      { reason: 'pasted by mistake' },
    );
    expect(redaction.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await sql?.end();
    await server?.destroy();
  });

  it('purges nothing younger than its lifetime; a redacted event is served redacted but its content kept a while', async () => {
    await purge(start + 60 * 60_000);
    for (const body of ['short-lived plans', 'kept a month', 'kept at most a month'])
      expect(await stored(body)).toEqual({ content: { msgtype: 'm.text', body }, purged: false });
    expect((await stored('oops, my password'))?.purged).toBe(false);
    const served = await ana.get(
      `${V3}/rooms/${encodeURIComponent(rooms.none)}/event/${encodeURIComponent(sent['oops, my password'] as string)}`,
    );
    expect(served.body.content).toEqual({});
  });

  it("purges a room's events past its m.room.retention max_lifetime to redacted copies, and keeps its state", async () => {
    const report = await purge(start + 3 * DAY);
    expect(report['message-retention']).toBe(1);
    expect(await stored('short-lived plans')).toEqual({ content: {}, purged: true });
    expect((await stored('kept a month'))?.purged).toBe(false);
    const name = await ana.get(`${V3}/rooms/${encodeURIComponent(rooms.short)}/state/m.room.name/`);
    expect(name.body).toEqual({ name: 'Two days' });
    // The DAG is whole: the purged event is still served (empty), and the room takes new events.
    const served = await ana.get(
      `${V3}/rooms/${encodeURIComponent(rooms.short)}/event/${encodeURIComponent(sent['short-lived plans'] as string)}`,
    );
    expect(served.status).toBe(200);
    expect(served.body.content).toEqual({});
    await send(rooms.short, 'after the purge');
  });

  it("replaces a redacted event's original content after retention.redacted_content_days (7)", async () => {
    await purge(start + 8 * DAY);
    expect(await stored('oops, my password')).toEqual({ content: {}, purged: true });
    expect(JSON.stringify((await sql.query('SELECT pdu FROM events')).rows)).not.toContain('my password');
    expect((await stored('kept a month'))?.purged).toBe(false);
  });

  it('holds every room to message_max_days, with or without a policy of its own', async () => {
    await purge(start + 31 * DAY);
    expect(await stored('kept a month')).toEqual({ content: {}, purged: true });
    expect(await stored('kept at most a month')).toEqual({ content: {}, purged: true });
    const { rows } = await sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM events WHERE state_key IS NOT NULL AND content_purged_ts IS NOT NULL`,
    );
    expect(Number(rows[0]?.n)).toBe(0);
  });
});
