import { DataSource } from 'typeorm';
import { signUp, startTestHomeserver, type LooseBody, type TestClient, type TestHomeserver } from '@hearth/testing';
import { currentStatePositionDrift, roomActivityDrift } from '../support/room-activity';

const V3 = '/_matrix/client/v3';
const SLIDING = '/_matrix/client/unstable/org.matrix.simplified_msc3575/sync';

/**
 * The room list's order and `bump_stamp` come from room_activity, and memberships' positions from
 * current_state's stream_ordering, which the event pipeline keeps in the statement that stores
 * events: after messages, state changes, reactions, redactions, joins, leaves, bans and invites
 * both must say what the events table says.
 */
describe('sliding sync: room activity', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let txn = 0;
  const BEA = '@bea:activity.example';
  const room = (roomId: string) => `${V3}/rooms/${encodeURIComponent(roomId)}`;
  const slide = async (client: TestClient, body: LooseBody, query = '') => {
    const res = await client.post(`${SLIDING}${query}`, body);
    expect(res.status).toBe(200);
    return res.body;
  };
  const send = async (client: TestClient, roomId: string, type: string, content: LooseBody) => {
    const res = await client.put(`${room(roomId)}/send/${type}/t${txn++}`, content);
    expect(res.status).toBe(200);
    return res.body.event_id as string;
  };
  const say = (client: TestClient, roomId: string, body: string) =>
    send(client, roomId, 'm.room.message', { msgtype: 'm.text', body });
  const createRoom = async (client: TestClient, body: LooseBody) => {
    const res = await client.post(`${V3}/createRoom`, body);
    expect(res.status).toBe(200);
    return res.body.room_id as string;
  };
  const top = { top: { ranges: [[0, 0]], timeline_limit: 1, required_state: [] } };
  const all = { all: { ranges: [[0, 9]], timeline_limit: 1, required_state: [] } };

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'activity.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
  });
  afterAll(() => hs.destroy());

  it('moves a room up for any new event, but only bumping types move its bump_stamp', async () => {
    const older = await createRoom(ana, { preset: 'public_chat', name: 'older' });
    await say(ana, older, 'first');
    const newer = await createRoom(ana, { preset: 'public_chat', name: 'newer' });
    await say(ana, newer, 'second');
    const before = await slide(ana, { lists: all });
    const olderStamp = before.rooms[older].bump_stamp as number;
    expect(before.rooms[newer].bump_stamp).toBeGreaterThan(olderStamp);

    // A topic is not a bumping type: the room is the newest activity, its bump_stamp stays.
    const topic = await ana.put(`${room(older)}/state/m.room.topic/`, { topic: 'quiet change' });
    expect(topic.status).toBe(200);
    const afterTopic = await slide(ana, { lists: top });
    expect(Object.keys(afterTopic.rooms)).toEqual([older]);
    expect(afterTopic.rooms[older].bump_stamp).toBe(olderStamp);

    // Nor is a reaction; a message is, and then it moves past the other room's stamp.
    const message = await say(ana, newer, 'third');
    await send(ana, older, 'm.reaction', {
      'm.relates_to': { rel_type: 'm.annotation', event_id: message, key: '+1' },
    });
    const afterReaction = await slide(ana, { lists: { ...all, ...top } });
    expect(afterReaction.rooms[older].lists).toEqual(['all', 'top']);
    expect(afterReaction.rooms[older].bump_stamp).toBe(olderStamp);
    await say(ana, older, 'fourth');
    const afterMessage = await slide(ana, { lists: all });
    expect(afterMessage.rooms[older].bump_stamp).toBeGreaterThan(afterMessage.rooms[newer].bump_stamp as number);
    expect(await roomActivityDrift(hs.server.app.get(DataSource))).toEqual([]);
    expect(await currentStatePositionDrift(hs.server.app.get(DataSource))).toEqual([]);
  });

  it('sorts a room the user left or was invited to by their membership event, whatever follows it', async () => {
    const left = await createRoom(bea, { preset: 'public_chat', name: 'left', invite: ['@ana:activity.example'] });
    expect((await ana.post(`${V3}/join/${encodeURIComponent(left)}`, {})).status).toBe(200);
    const invited = await createRoom(bea, { preset: 'private_chat', name: 'invited' });
    const start = await slide(ana, { lists: all });
    expect(start.rooms[left].membership).toBe('join');
    expect((await ana.post(`${room(left)}/leave`, {})).status).toBe(200);
    expect((await bea.post(`${room(invited)}/invite`, { user_id: '@ana:activity.example' })).status).toBe(200);
    const quiet = await createRoom(ana, { preset: 'public_chat', name: 'quiet' });
    // Activity after the leave and after the invite does not move either room for ana.
    await say(bea, left, 'after the leave');
    await say(bea, invited, 'after the invite');

    const page = await slide(ana, { lists: all }, `?pos=${start.pos as string}`);
    expect(page.rooms[left].membership).toBe('leave');
    expect(page.rooms[invited].membership).toBe('invite');
    // A new connection: the room left is not listed, the invite sorts below the room made after it.
    const next = await slide(ana, { lists: { ...all, ...top } });
    expect(Object.keys(next.rooms)).toContain(invited);
    expect(Object.keys(next.rooms)).not.toContain(left);
    expect(next.rooms[quiet].lists).toEqual(['all', 'top']);
    expect(next.rooms[invited].bump_stamp).toBeLessThan(next.rooms[quiet].bump_stamp as number);
    expect(await roomActivityDrift(hs.server.app.get(DataSource))).toEqual([]);
    expect(await currentStatePositionDrift(hs.server.app.get(DataSource))).toEqual([]);
  });

  it('keeps room_activity right across joins, leaves, bans, kicks, redactions and state', async () => {
    const roomId = await createRoom(ana, { preset: 'public_chat', name: 'busy' });
    expect((await bea.post(`${V3}/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);
    const said = await say(bea, roomId, 'to be redacted');
    expect((await ana.put(`${room(roomId)}/redact/${encodeURIComponent(said)}/r${txn++}`, {})).status).toBe(200);
    expect((await ana.post(`${room(roomId)}/kick`, { user_id: BEA })).status).toBe(200);
    expect((await bea.post(`${V3}/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);
    expect((await ana.post(`${room(roomId)}/ban`, { user_id: BEA })).status).toBe(200);
    expect((await ana.put(`${room(roomId)}/state/m.room.name/`, { name: 'renamed' })).status).toBe(200);
    await send(ana, roomId, 'm.sticker', { body: 'sticker', url: 'mxc://activity.example/s', info: {} });

    const db = hs.server.app.get(DataSource);
    expect(await roomActivityDrift(db)).toEqual([]);
    expect(await currentStatePositionDrift(db)).toEqual([]);
    const [row] = await db.query<Array<{ last_position: string; bump_position: string }>>(
      'SELECT last_position, bump_position FROM room_activity WHERE room_id = $1',
      [roomId],
    );
    // The sticker was the last event, and it bumps.
    expect(row?.bump_position).toBe(row?.last_position);
  });
});
