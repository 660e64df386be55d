import { signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

describe('restricted rooms: members of an allowed room may join, vouched for by a member with invite power', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let carl: TestClient;
  let dave: TestClient;
  let space: string;
  let restricted: string;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'restrict.example', registration: 'open' } });
    [ana, carl, dave] = await Promise.all([signUp(hs.url, 'ana'), signUp(hs.url, 'carl'), signUp(hs.url, 'dave')]);
    space = (await ana.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id as string;
    restricted = (
      await ana.post(`${V3}/createRoom`, {
        preset: 'private_chat',
        room_version: '10',
        initial_state: [
          {
            type: 'm.room.join_rules',
            state_key: '',
            content: { join_rule: 'restricted', allow: [{ type: 'm.room_membership', room_id: space }] },
          },
        ],
      })
    ).body.room_id as string;
  });
  afterAll(() => hs.destroy());

  it('lets a member of the allowed room in, naming who authorised the join', async () => {
    expect((await carl.post(`${V3}/join/${encodeURIComponent(space)}`, {})).status).toBe(200);
    const joined = await carl.post(`${V3}/join/${encodeURIComponent(restricted)}`, {});
    expect(joined.status).toBe(200);
    const member = await ana.get(
      `${V3}/rooms/${encodeURIComponent(restricted)}/state/m.room.member/${encodeURIComponent('@carl:restrict.example')}`,
    );
    expect(member.body).toMatchObject({
      membership: 'join',
      join_authorised_via_users_server: '@ana:restrict.example',
    });
  });

  it('keeps out someone who is in none of the allowed rooms', async () => {
    const res = await dave.post(`${V3}/join/${encodeURIComponent(restricted)}`, {});
    expect(res.status).toBe(403);
    expect(res.body.errcode).toBe('M_FORBIDDEN');
  });
});
