import { DataSource } from 'typeorm';
import { FOLD_AT, NotificationCounts, ReceiptsService } from '@hearth/rooms';
import { eventually, signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';

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

  it('folds a long unread backlog into a summary and keeps the counts exact as receipts land among it', async () => {
    const folding = hs.server.app.get(NotificationCounts);
    const db = hs.server.app.get(DataSource);
    const backlog = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    await bea.post(`${V3}/join/${backlog}`, {});
    const sendTo = (content: Record<string, unknown>) =>
      ana
        .put(`${V3}/rooms/${backlog}/send/m.room.message/f${txn++}`, content)
        .then((res) => res.body.event_id as string);
    const countsIn = async () => Object.fromEntries(await receipts.unreadCounts(backlog, '@bea:push.example'));
    const rows = async (table: string) =>
      Number(
        (await db.query<Array<{ n: string }>>(`SELECT count(*) AS n FROM ${table} WHERE room_id = $1`, [backlog]))[0]
          ?.n,
      );
    const sent: string[] = [];
    for (let i = 0; i < 6; i++)
      sent.push(
        await sendTo({
          msgtype: 'm.text',
          body: `m${i}`,
          ...(i === 2 ? { 'm.mentions': { user_ids: ['@bea:push.example'] } } : {}),
        }),
      );

    await folding.fold('@bea:push.example', backlog, '');
    expect([await rows('event_push_actions'), await rows('event_push_actions_folded')]).toEqual([0, 6]);
    expect(await countsIn()).toEqual({ '': { notification_count: 6, highlight_count: 1 } });
    sent.push(await sendTo({ msgtype: 'm.text', body: 'after the fold' }));
    expect(await countsIn()).toEqual({ '': { notification_count: 7, highlight_count: 1 } });

    // A receipt among the folded ones: they stay exact, the highlight before it is read.
    expect((await bea.post(`${V3}/rooms/${backlog}/receipt/m.read/${sent[3]}`, {})).status).toBe(200);
    expect(await countsIn()).toEqual({ '': { notification_count: 3, highlight_count: 0 } });
    expect((await bea.post(`${V3}/rooms/${backlog}/receipt/m.read/${sent[6]}`, {})).status).toBe(200);
    expect(await countsIn()).toEqual({});
    expect([
      await rows('event_push_actions'),
      await rows('event_push_actions_folded'),
      await rows('event_push_summary'),
    ]).toEqual([0, 0, 0]);
  });

  it(`folds on its own once a room holds ${FOLD_AT} unread for a member`, async () => {
    const db = hs.server.app.get(DataSource);
    const quiet = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    await bea.post(`${V3}/join/${quiet}`, {});
    // As many notifications as a busy room leaves a member who never reads, written directly.
    await db.query(
      `INSERT INTO event_push_actions (user_id, room_id, event_id, stream_ordering, thread_id, highlight)
       SELECT '@bea:push.example', $1, '$fake' || n, n, '', n % 100 = 0 FROM generate_series(1, $2::int) n`,
      [quiet, FOLD_AT],
    );
    const expected = { '': { notification_count: FOLD_AT, highlight_count: FOLD_AT / 100 } };
    expect(Object.fromEntries(await receipts.unreadCounts(quiet, '@bea:push.example'))).toEqual(expected);
    await eventually(async () => {
      const [left] = await db.query<Array<{ n: string }>>(
        'SELECT count(*) AS n FROM event_push_actions WHERE room_id = $1',
        [quiet],
      );
      return Number(left?.n) === 0 ? true : undefined;
    }, 'the backlog to be folded');
    expect(Object.fromEntries(await receipts.unreadCounts(quiet, '@bea:push.example'))).toEqual(expected);
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
