import { DataSource } from 'typeorm';
import { ReceiptsService } from '@hearth/rooms';
import { signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

describe('push rules, unread counts and receipts', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let roomId: string;
  let receipts: ReceiptsService;
  let txn = 0;
  const send = (client: TestClient, content: Record<string, unknown>, type = 'm.room.message') =>
    client.put(`${V3}/rooms/${roomId}/send/${type}/t${txn++}`, content).then((res) => res.body.event_id as string);
  const counts = async () => Object.fromEntries(await receipts.unreadCounts(roomId, '@bea:push.example'));
  /** Bea's stored notifications in the room, by thread. */
  const stored = async () =>
    (
      await hs.server.app
        .get(DataSource)
        .query<Array<{ thread_id: string }>>(
          'SELECT thread_id FROM event_push_actions WHERE user_id = $1 AND room_id = $2',
          ['@bea:push.example', roomId],
        )
    ).map((row) => row.thread_id);

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'push.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
    roomId = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id;
    await bea.post(`${V3}/join/${roomId}`, {});
    receipts = hs.server.app.get(ReceiptsService);
  });
  afterAll(() => hs.destroy());

  it('serves the default rules', async () => {
    const rules = (await bea.get(`${V3}/pushrules/`)).body.global;
    expect(rules.override[0]).toMatchObject({ rule_id: '.m.rule.master', enabled: false, default: true });
    expect(rules.underride.map((r: { rule_id: string }) => r.rule_id)).toContain('.m.rule.message');
    expect((await bea.get(`${V3}/pushrules/global/override/.m.rule.is_user_mention`)).body.conditions[0].value).toBe(
      '@bea:push.example',
    );
  });

  it('counts notifications and highlights per thread, and a receipt clears them', async () => {
    const first = await send(ana, { msgtype: 'm.text', body: 'one-to-one hello' });
    await send(ana, { msgtype: 'm.notice', body: 'a bot notice' });
    await send(ana, { msgtype: 'm.text', body: 'hey bea', 'm.mentions': { user_ids: ['@bea:push.example'] } });
    await send(ana, {
      msgtype: 'm.text',
      body: 'in a thread',
      'm.relates_to': { rel_type: 'm.thread', event_id: first },
    });
    await send(ana, { 'm.relates_to': { rel_type: 'm.annotation', event_id: first, key: '👍' } }, 'm.reaction');
    expect(await counts()).toEqual({
      '': { notification_count: 2, highlight_count: 1 },
      [first]: { notification_count: 1, highlight_count: 0 },
    });

    const latest = await send(ana, { msgtype: 'm.text', body: 'latest' });
    expect((await bea.post(`${V3}/rooms/${roomId}/receipt/m.read/${latest}`, { thread_id: 'main' })).status).toBe(200);
    expect(await counts()).toEqual({ [first]: { notification_count: 1, highlight_count: 0 } });
    // What a receipt covers is not kept: the timeline's notifications went, the thread's stays.
    expect(await stored()).toEqual([first]);
    expect(
      (await bea.post(`${V3}/rooms/${roomId}/read_markers`, { 'm.fully_read': latest, 'm.read.private': latest }))
        .status,
    ).toBe(200);
    expect(await counts()).toEqual({});
    expect(await stored()).toEqual([]);
    expect((await bea.post(`${V3}/rooms/${roomId}/receipt/m.unknown/${latest}`, {})).body.errcode).toBe(
      'M_INVALID_PARAM',
    );
  });

  it('keeps the counts beside the notifications, exact as receipts land among a backlog', async () => {
    const db = hs.server.app.get(DataSource);
    const backlog = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    await bea.post(`${V3}/join/${backlog}`, {});
    const countsIn = async () => Object.fromEntries(await receipts.unreadCounts(backlog, '@bea:push.example'));
    const kept = async () =>
      (
        await db.query<Array<{ notifications: string; highlights: string }>>(
          'SELECT notifications, highlights FROM event_push_summary WHERE user_id = $1 AND room_id = $2',
          ['@bea:push.example', backlog],
        )
      ).map((row) => [Number(row.notifications), Number(row.highlights)]);
    const sent: string[] = [];
    for (let i = 0; i < 7; i++)
      sent.push(
        (
          await ana.put(`${V3}/rooms/${backlog}/send/m.room.message/b${txn++}`, {
            msgtype: 'm.text',
            body: `m${i}`,
            ...(i === 2 ? { 'm.mentions': { user_ids: ['@bea:push.example'] } } : {}),
          })
        ).body.event_id as string,
      );
    expect(await countsIn()).toEqual({ '': { notification_count: 7, highlight_count: 1 } });
    expect(await kept()).toEqual([[7, 1]]);

    // A receipt among them: the highlight before it is read, the three after it are not.
    expect((await bea.post(`${V3}/rooms/${backlog}/receipt/m.read/${sent[3]}`, {})).status).toBe(200);
    expect(await countsIn()).toEqual({ '': { notification_count: 3, highlight_count: 0 } });
    expect(await kept()).toEqual([[3, 0]]);
    expect((await bea.post(`${V3}/rooms/${backlog}/receipt/m.read/${sent[6]}`, {})).status).toBe(200);
    expect(await countsIn()).toEqual({});
    expect(await kept()).toEqual([]);
  });

  it('keeps the counts equal to the notifications while sends and receipts race', async () => {
    const db = hs.server.app.get(DataSource);
    const busy = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    await bea.post(`${V3}/join/${busy}`, {});
    const sendIn = (i: number) =>
      ana.put(`${V3}/rooms/${busy}/send/m.room.message/r${txn++}`, {
        msgtype: 'm.text',
        body: `race ${i}`,
        ...(i % 5 === 0 ? { 'm.relates_to': { rel_type: 'm.thread', event_id: threadRoot } } : {}),
      });
    const threadRoot = (await sendIn(1)).body.event_id as string;
    // Sends in batches the send batcher writes together, and receipts (threaded and not) among them.
    const results = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const sent = await sendIn(i);
        if (i % 7 !== 3 || i % 5 === 0) return [sent.status];
        const receipt = await bea.post(`${V3}/rooms/${busy}/receipt/m.read/${sent.body.event_id as string}`, {
          ...(i % 2 === 0 ? { thread_id: 'main' } : {}),
        });
        return [sent.status, receipt.status];
      }),
    );
    expect(results.flat().every((status) => status === 200)).toBe(true);
    const [rows, counted] = await Promise.all([
      db.query<Array<{ thread_id: string; n: string; h: string }>>(
        `SELECT thread_id, count(*) AS n, count(*) FILTER (WHERE highlight) AS h FROM event_push_actions
          WHERE user_id = $1 AND room_id = $2 GROUP BY thread_id ORDER BY thread_id`,
        ['@bea:push.example', busy],
      ),
      db.query<Array<{ thread_id: string; n: string; h: string }>>(
        `SELECT thread_id, notifications AS n, highlights AS h FROM event_push_summary
          WHERE user_id = $1 AND room_id = $2 ORDER BY thread_id`,
        ['@bea:push.example', busy],
      ),
    ]);
    expect(rows.length).toBeGreaterThan(0);
    expect(counted).toEqual(rows);
  });

  it('lets users add, order, disable and delete their own rules, but not delete defaults', async () => {
    expect(
      (
        await bea.put(`${V3}/pushrules/global/content/lunch`, {
          pattern: 'lunch',
          actions: ['notify', { set_tweak: 'highlight' }],
        })
      ).status,
    ).toBe(200);
    expect(
      (await bea.put(`${V3}/pushrules/global/content/coffee?before=lunch`, { pattern: 'coffee', actions: ['notify'] }))
        .status,
    ).toBe(200);
    expect((await bea.get(`${V3}/pushrules/global/`)).body.content.map((r: { rule_id: string }) => r.rule_id)).toEqual([
      'coffee',
      'lunch',
    ]);
    await send(ana, { msgtype: 'm.text', body: 'Lunch?' });
    expect((await counts())['']).toEqual({ notification_count: 1, highlight_count: 1 });

    // Two members: the one-to-one rule comes before the message rule, so both must go quiet.
    expect((await bea.put(`${V3}/pushrules/global/underride/.m.rule.message/enabled`, { enabled: false })).status).toBe(
      200,
    );
    expect(
      (await bea.put(`${V3}/pushrules/global/underride/.m.rule.room_one_to_one/actions`, { actions: [] })).status,
    ).toBe(200);
    expect((await bea.get(`${V3}/pushrules/global/underride/.m.rule.message/enabled`)).body).toEqual({
      enabled: false,
    });
    await send(ana, { msgtype: 'm.text', body: 'quiet now' });
    expect((await counts())['']).toEqual({ notification_count: 1, highlight_count: 1 });

    expect((await bea.put(`${V3}/pushrules/global/override/.my.rule`, { actions: [] })).body.errcode).toBe(
      'M_INVALID_PARAM',
    );
    expect((await bea.delete(`${V3}/pushrules/global/override/.m.rule.master`)).status).toBe(404);
    expect((await bea.delete(`${V3}/pushrules/global/content/lunch`)).status).toBe(200);
    expect((await bea.get(`${V3}/pushrules/global/content/lunch`)).status).toBe(404);
    expect((await bea.put(`${V3}/pushrules/global/sideways/x`, { actions: [] })).body.errcode).toBe('M_INVALID_PARAM');
  });
});
