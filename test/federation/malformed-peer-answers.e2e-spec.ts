import { getRoomVersion } from '@hearth/protocol';
import {
  FakePeer,
  makeTestCertificate,
  signUp,
  startFederatingHomeserver,
  type FederatingHomeserver,
  type LooseBody,
  type TestClient,
} from '../support';

/**
 * A peer that answers, but not what the spec says: Hearth answers its clients with a clean Matrix
 * error (502 M_UNKNOWN, as Synapse does for a server that failed) or leaves the bad part out,
 * never a 500. And what older Synapse releases send still works.
 */
describe('Federation: a peer’s malformed answers', () => {
  let hearth: FederatingHomeserver;
  let peer: FakePeer;
  let alice: TestClient;

  beforeAll(async () => {
    const certificate = makeTestCertificate();
    [hearth, peer] = await Promise.all([
      startFederatingHomeserver(certificate, { registration: 'open' }),
      FakePeer.start(certificate),
    ]);
    alice = await signUp(hearth.url, 'alice');
  });

  afterAll(async () => {
    await Promise.all([hearth?.destroy(), peer?.close()]);
  });

  const on = (localpart: string, sigil = '@') => `${sigil}${localpart}:${peer.serverName}`;
  const via = () => `via=${encodeURIComponent(peer.serverName)}`;
  const badGateway = { errcode: 'M_UNKNOWN' };

  it('leaves out profile fields of the wrong type, and answers 502 for a profile that is no object', async () => {
    peer.answer('GET', '/_matrix/federation/v1/query/profile', { displayname: 5, avatar_url: 'mxc://peer/pic' });
    const partly = await alice.get(`/_matrix/client/v3/profile/${encodeURIComponent(on('bob'))}`);
    expect(partly.status).toBe(200);
    expect(partly.body).toEqual({ avatar_url: 'mxc://peer/pic' });
    peer.answer('GET', '/_matrix/federation/v1/query/profile', ['not', 'an', 'object']);
    const refused = await alice.get(`/_matrix/client/v3/profile/${encodeURIComponent(on('carol'))}`);
    expect(refused.status).toBe(502);
    expect(refused.body).toMatchObject(badGateway);
  });

  it('answers 502 for an alias the peer resolves to something that is not a room ID', async () => {
    peer.answer('GET', '/_matrix/federation/v1/query/directory', { room_id: 42, servers: [peer.serverName] });
    const res = await alice.get(`/_matrix/client/v3/directory/room/${encodeURIComponent(on('lobby', '#'))}`);
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject(badGateway);
  });

  it('answers 502 for a join whose make_join answer has no event template', async () => {
    peer.answer('GET', '/_matrix/federation/v1/make_join/', { room_version: '10' });
    const res = await alice.post(`/_matrix/client/v3/join/${encodeURIComponent(on('nojoin', '!'))}?${via()}`, {});
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject(badGateway);
  });

  it('answers 502 for an invite the invitee’s server sends back as no event', async () => {
    const roomId = (await alice.post('/_matrix/client/v3/createRoom', {})).body.room_id as string;
    peer.answer('PUT', '/_matrix/federation/v2/invite/', { event: 'signed, honestly' });
    const res = await alice.post(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/invite`, {
      user_id: on('bob'),
    });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject(badGateway);
  });

  it('lists a peer whose keys answer is malformed under failures, and answers the rest', async () => {
    peer.answer('POST', '/_matrix/federation/v1/user/keys/query', { device_keys: 'none today' });
    const res = await alice.post('/_matrix/client/v3/keys/query', {
      device_keys: { [on('bob')]: [], [`@alice:${hearth.serverName}`]: [] },
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.failures as LooseBody)).toEqual([peer.serverName]);
    expect(Object.keys(res.body.device_keys as LooseBody)).toEqual([`@alice:${hearth.serverName}`]);
  });

  it('knocks through a server that answers send_knock as older Synapse releases did (knock_state_events)', async () => {
    const roomId = on('knockable', '!');
    const userId = `@alice:${hearth.serverName}`;
    const fakeId = (n: number) => `$${String(n).repeat(43)}`;
    expect(getRoomVersion('10')?.knockJoinRule).toBe(true);
    peer.answer('GET', '/_matrix/federation/v1/make_knock/', {
      room_version: '10',
      event: {
        room_id: roomId,
        type: 'm.room.member',
        state_key: userId,
        sender: userId,
        origin: hearth.serverName,
        origin_server_ts: Date.now(),
        depth: 3,
        prev_events: [fakeId(1)],
        auth_events: [fakeId(2), fakeId(3)],
        content: { membership: 'knock' },
      },
    });
    const name = { type: 'm.room.name', state_key: '', sender: on('creator'), content: { name: 'Knock here' } };
    peer.answer('PUT', '/_matrix/federation/v1/send_knock/', { knock_state_events: [name, 'not an event'] });
    const res = await alice.post(`/_matrix/client/v3/knock/${encodeURIComponent(roomId)}?${via()}`, {});
    expect(res.status).toBe(200);
    const sync = await alice.get('/_matrix/client/v3/sync?timeout=0');
    const knockState = sync.body.rooms?.knock?.[roomId]?.knock_state?.events as LooseBody[] | undefined;
    expect(knockState).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'm.room.name' })]));
  });
});
