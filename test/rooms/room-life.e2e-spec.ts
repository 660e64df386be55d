import { signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

describe('a room through its life on one server', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let carl: TestClient;
  let roomId: string;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'r.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
    carl = await signUp(hs.url, 'carl');
  });
  afterAll(() => hs.destroy());

  it('creates a private room with name, topic, alias and an invite', async () => {
    const res = await ana.post(`${V3}/createRoom`, {
      name: 'Team',
      topic: 'Work talk',
      room_alias_name: 'team',
      invite: ['@bea:r.example'],
    });
    expect(res.status).toBe(200);
    roomId = res.body.room_id;
    expect(roomId).toMatch(/^![A-Za-z0-9]+:r\.example$/);
    expect(res.body.room_alias).toBe('#team:r.example');

    const state = (
      await ana.get<Array<{ type: string; state_key: string; content: Record<string, unknown> }>>(
        `${V3}/rooms/${roomId}/state`,
      )
    ).body;
    const byType = (type: string, key = '') => state.find((e) => e.type === type && e.state_key === key)?.content;
    expect(byType('m.room.create')).toMatchObject({ creator: '@ana:r.example', room_version: '10' });
    expect(byType('m.room.join_rules')).toEqual({ join_rule: 'invite' });
    expect(byType('m.room.history_visibility')).toEqual({ history_visibility: 'shared' });
    expect(byType('m.room.name')).toEqual({ name: 'Team' });
    expect(byType('m.room.topic')).toEqual({ topic: 'Work talk' });
    expect(byType('m.room.canonical_alias')).toEqual({ alias: '#team:r.example' });
    expect(byType('m.room.member', '@bea:r.example')).toEqual({ membership: 'invite' });
    expect((byType('m.room.power_levels') as { users: object }).users).toEqual({ '@ana:r.example': 100 });
    expect((await ana.get(`${V3}/rooms/${roomId}/state/m.room.name`)).body).toEqual({ name: 'Team' });
  });

  it('lets the invitee join, and keeps strangers out of an invite-only room', async () => {
    expect((await carl.post(`${V3}/join/${encodeURIComponent('#team:r.example')}`, {})).body.errcode).toBe(
      'M_FORBIDDEN',
    );
    const joined = await bea.post(`${V3}/join/${encodeURIComponent('#team:r.example')}`, {});
    expect(joined.status).toBe(200);
    expect(joined.body.room_id).toBe(roomId);
    expect((await bea.get(`${V3}/joined_rooms`)).body).toEqual({ joined_rooms: [roomId] });
    expect(Object.keys((await ana.get(`${V3}/rooms/${roomId}/joined_members`)).body.joined).sort()).toEqual([
      '@ana:r.example',
      '@bea:r.example',
    ]);
    // A new display name reaches the room as a new member event.
    expect((await bea.put(`${V3}/profile/@bea:r.example/displayname`, { displayname: 'Bea B.' })).status).toBe(200);
    expect((await ana.get(`${V3}/rooms/${roomId}/state/m.room.member/@bea:r.example`)).body).toEqual({
      membership: 'join',
      displayname: 'Bea B.',
    });
    // Sharing a room is what makes a profile visible.
    expect((await bea.get(`${V3}/profile/@ana:r.example`)).status).toBe(200);
    expect((await carl.get(`${V3}/profile/@ana:r.example`)).status).toBe(403);
  });

  it('sends messages idempotently per transaction ID, and refuses a reused ID with another body', async () => {
    const first = await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/t1`, { msgtype: 'm.text', body: 'hello' });
    expect(first.status).toBe(200);
    expect(first.body.event_id).toMatch(/^\$[A-Za-z0-9_-]{43}$/);
    const again = await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/t1`, { msgtype: 'm.text', body: 'hello' });
    expect(again.body.event_id).toBe(first.body.event_id);
    const different = await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/t1`, {
      msgtype: 'm.text',
      body: 'other',
    });
    expect(different.status).toBe(400);
    expect((await ana.get(`${V3}/rooms/${roomId}/event/${first.body.event_id}`)).body).toMatchObject({
      type: 'm.room.message',
      content: { body: 'hello' },
      sender: '@ana:r.example',
      room_id: roomId,
    });
  });

  it('pages through messages in both directions with stable tokens', async () => {
    for (let i = 0; i < 5; i++)
      await bea.put(`${V3}/rooms/${roomId}/send/m.room.message/p${i}`, { msgtype: 'm.text', body: `n${i}` });
    const back = await bea.get(`${V3}/rooms/${roomId}/messages?dir=b&limit=3`);
    expect(back.body).toHaveProperty('chunk');
    expect(back.body.chunk.map((e: { content: { body: string } }) => e.content.body)).toEqual(['n4', 'n3', 'n2']);
    const older = await bea.get(`${V3}/rooms/${roomId}/messages?dir=b&limit=3&from=${back.body.end}`);
    expect(older.body.chunk.map((e: { content: { body: string } }) => e.content.body)).toEqual(['n1', 'n0', 'hello']);
    const forward = await bea.get(`${V3}/rooms/${roomId}/messages?dir=f&limit=2&from=${older.body.end}`);
    expect(forward.body.chunk.map((e: { content: { body?: string } }) => e.content.body)).toEqual(['hello', 'n0']);
    const filtered = (filter: object) =>
      bea.get(`${V3}/rooms/${roomId}/messages?dir=b&limit=50&filter=${encodeURIComponent(JSON.stringify(filter))}`);
    const onlyState = (await filtered({ types: ['m.room.*'], not_types: ['m.room.message', 'm.room.member'] })).body
      .chunk;
    expect(onlyState.length).toBeGreaterThan(3);
    expect(
      onlyState.every(
        (e: { type: string }) =>
          e.type.startsWith('m.room.') && e.type !== 'm.room.message' && e.type !== 'm.room.member',
      ),
    ).toBe(true);
    const fromAna = (await filtered({ types: ['m.room.message'], senders: ['@ana:r.example'] })).body.chunk;
    expect(fromAna.map((e: { content: { body: string } }) => e.content.body)).toEqual(['hello']);
    expect((await bea.get(`${V3}/rooms/${roomId}/messages?dir=b&filter=nope`)).body.errcode).toBe('M_INVALID_PARAM');
    const lazy = (await filtered({ types: ['m.room.message'], lazy_load_members: true })).body;
    expect(lazy.state.map((e: { type: string; state_key: string }) => `${e.type} ${e.state_key}`).sort()).toEqual([
      'm.room.member @ana:r.example',
      'm.room.member @bea:r.example',
    ]);
    expect((await bea.get(`${V3}/rooms/${roomId}/messages?dir=x`)).body.errcode).toBe('M_INVALID_PARAM');
    expect((await bea.get(`${V3}/rooms/${roomId}/messages?dir=b&from=garbage`)).body.errcode).toBe('M_INVALID_PARAM');
    // An empty `from` (matrix-nio's room_messages(start="")) is an absent one, as in Synapse.
    const emptyFrom = await bea.get(`${V3}/rooms/${roomId}/messages?dir=b&limit=3&from=`);
    expect(emptyFrom.status).toBe(200);
    expect(emptyFrom.body.chunk.map((e: { event_id: string }) => e.event_id)).toEqual(
      back.body.chunk.map((e: { event_id: string }) => e.event_id),
    );
  });

  it('shows an event in its context, with the state after it', async () => {
    const page = await bea.get(`${V3}/rooms/${roomId}/messages?dir=b&limit=3`);
    const middle = page.body.chunk[1];
    const context = await bea.get(`${V3}/rooms/${roomId}/context/${middle.event_id}?limit=2`);
    expect(context.status).toBe(200);
    expect(context.body.event.event_id).toBe(middle.event_id);
    expect(context.body.events_before.map((e: { event_id: string }) => e.event_id)).toEqual([
      page.body.chunk[2].event_id,
    ]);
    expect(context.body.events_after.map((e: { event_id: string }) => e.event_id)).toEqual([
      page.body.chunk[0].event_id,
    ]);
    expect(context.body.state.some((e: { type: string }) => e.type === 'm.room.create')).toBe(true);
    const later = await bea.get(`${V3}/rooms/${roomId}/messages?dir=f&from=${context.body.end}`);
    expect(later.body.chunk).toHaveLength(0);
  });

  it('treats an unknown room like one you may not see', async () => {
    const unknown = await carl.get(`${V3}/rooms/!nope:r.example/messages?dir=b`);
    const hidden = await carl.get(`${V3}/rooms/${roomId}/messages?dir=b`);
    expect(unknown.status).toBe(403);
    expect(hidden.status).toBe(403);
    expect(unknown.body).toEqual(hidden.body);
    expect((await carl.put(`${V3}/rooms/${roomId}/send/m.room.message/x`, { body: 'hi' })).status).toBe(403);
  });

  it('enforces power levels on state changes', async () => {
    const denied = await bea.put(`${V3}/rooms/${roomId}/state/m.room.name`, { name: 'Mine now' });
    expect(denied.status).toBe(403);
    expect(denied.body.errcode).toBe('M_FORBIDDEN');
    expect(
      (
        await ana.put(`${V3}/rooms/${roomId}/state/m.room.power_levels`, {
          users: { '@ana:r.example': 100, '@bea:r.example': 50 },
          users_default: 0,
          events_default: 0,
          state_default: 50,
          ban: 50,
          kick: 50,
          redact: 50,
          invite: 0,
          events: { 'm.room.power_levels': 100 },
        })
      ).status,
    ).toBe(200);
    expect((await bea.put(`${V3}/rooms/${roomId}/state/m.room.name`, { name: 'Team B' })).status).toBe(200);
  });

  it('redacts: the sender may, the served event is redacted, others need the redact level', async () => {
    const sent = await bea.put(`${V3}/rooms/${roomId}/send/m.room.message/secret`, {
      msgtype: 'm.text',
      body: 'oops, my password',
    });
    const redaction = await bea.put(`${V3}/rooms/${roomId}/redact/${sent.body.event_id}/r1`, { reason: 'typo' });
    expect(redaction.status).toBe(200);
    const served = await ana.get(`${V3}/rooms/${roomId}/event/${sent.body.event_id}`);
    expect(served.body.content).toEqual({});
    expect(served.body.unsigned.redacted_because).toEqual({ event_id: redaction.body.event_id });
  });

  it('kicks, bans and unbans with reasons, and refuses bans from members without power', async () => {
    await ana.post(`${V3}/rooms/${roomId}/invite`, { user_id: '@carl:r.example' });
    expect((await carl.post(`${V3}/rooms/${roomId}/join`, {})).status).toBe(200);
    expect((await carl.post(`${V3}/rooms/${roomId}/ban`, { user_id: '@bea:r.example' })).status).toBe(403);
    expect(
      (await ana.post(`${V3}/rooms/${roomId}/kick`, { user_id: '@carl:r.example', reason: 'cool off' })).status,
    ).toBe(200);
    expect((await ana.post(`${V3}/rooms/${roomId}/ban`, { user_id: '@carl:r.example', reason: 'spam' })).status).toBe(
      200,
    );
    expect((await carl.post(`${V3}/join/${roomId}`, {})).status).toBe(403);
    const members = (await ana.get(`${V3}/rooms/${roomId}/members?membership=ban`)).body.chunk;
    expect(
      members.map((e: { state_key: string; content: { reason?: string } }) => [e.state_key, e.content.reason]),
    ).toEqual([['@carl:r.example', 'spam']]);
    await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/after-ban`, { msgtype: 'm.text', body: 'moving on' });
    const whileBanned = (await ana.get(`${V3}/rooms/${roomId}/messages?dir=b&limit=1`)).body.end;
    expect((await ana.post(`${V3}/rooms/${roomId}/unban`, { user_id: '@carl:r.example' })).status).toBe(200);
    expect((await ana.get(`${V3}/rooms/${roomId}/members?membership=ban`)).body.chunk).toHaveLength(0);
    const then = (await ana.get(`${V3}/rooms/${roomId}/members?membership=ban&at=${whileBanned}`)).body.chunk;
    expect(then.map((e: { state_key: string }) => e.state_key)).toEqual(['@carl:r.example']);
  });

  it('lets members leave; former members keep reading what they saw but not what came after', async () => {
    const before = await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/b1`, {
      msgtype: 'm.text',
      body: 'before bea leaves',
    });
    expect((await bea.post(`${V3}/rooms/${roomId}/leave`, {})).status).toBe(200);
    const after = await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/a1`, {
      msgtype: 'm.text',
      body: 'after bea left',
    });
    expect((await bea.get(`${V3}/rooms/${roomId}/event/${before.body.event_id}`)).status).toBe(200);
    expect((await bea.get(`${V3}/rooms/${roomId}/event/${after.body.event_id}`)).status).toBe(404);
    const latest = await bea.get(`${V3}/rooms/${roomId}/messages?dir=b&limit=5`);
    expect(latest.body.chunk.map((e: { event_id: string }) => e.event_id)).not.toContain(after.body.event_id);
    expect((await bea.get(`${V3}/joined_rooms`)).body).toEqual({ joined_rooms: [] });
    expect((await ana.post(`${V3}/rooms/${roomId}/forget`, {})).status).toBe(400);
    expect((await bea.post(`${V3}/rooms/${roomId}/forget`, {})).status).toBe(200);
  });

  it('manages aliases', async () => {
    expect(
      (await ana.put(`${V3}/directory/room/${encodeURIComponent('#team2:r.example')}`, { room_id: roomId })).status,
    ).toBe(200);
    expect((await carl.get(`${V3}/directory/room/${encodeURIComponent('#team2:r.example')}`)).body).toEqual({
      room_id: roomId,
      servers: ['r.example'],
    });
    expect((await ana.get(`${V3}/rooms/${roomId}/aliases`)).body.aliases).toEqual([
      '#team2:r.example',
      '#team:r.example',
    ]);
    expect((await carl.delete(`${V3}/directory/room/${encodeURIComponent('#team2:r.example')}`)).status).toBe(403);
    expect((await ana.delete(`${V3}/directory/room/${encodeURIComponent('#team2:r.example')}`)).status).toBe(200);
    expect((await ana.post(`${V3}/createRoom`, { room_alias_name: 'team' })).body.errcode).toBe('M_ROOM_IN_USE');
  });

  it('answers concurrent retries of one transaction with one event', async () => {
    const racing = await Promise.all(
      Array.from({ length: 5 }, () =>
        ana.put(`${V3}/rooms/${roomId}/send/m.room.message/race`, { msgtype: 'm.text', body: 'once' }),
      ),
    );
    expect(racing.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(racing.map((r) => String(r.body.event_id))).size).toBe(1);
  });

  it('refuses oversized events and unsupported room versions', async () => {
    const huge = await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/huge`, { body: 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.errcode).toBe('M_TOO_LARGE');
    expect((await ana.post(`${V3}/createRoom`, { room_version: '5' })).body.errcode).toBe('M_UNSUPPORTED_ROOM_VERSION');
  });
});
