import { sharedRoom, signUp, startFederatedPair, TestClient, type FederatedPair } from '../support';

/**
 * Profiles and room aliases of other servers, asked of those servers over `/query/profile` and
 * `/query/directory` (two real Hearth instances over TLS). A restricts profiles to people who
 * share a room (the default) and refuses to federate with `*.denied.example`; B shows profiles
 * to anyone.
 */
describe('Federation: profiles and room aliases of other servers', () => {
  let pair: FederatedPair;
  const V3 = '/_matrix/client/v3';

  beforeAll(async () => {
    pair = await startFederatedPair({
      a: { config: { federation: { deny: ['*.denied.example'] } } },
      b: { config: { profile_visibility: 'public' } },
    });
  });

  afterAll(async () => {
    await Promise.all([pair?.a.destroy(), pair?.b.destroy()]);
  });

  const bobId = () => `@bob:${pair.b.serverName}`;
  const aliceId = () => `@alice:${pair.a.serverName}`;
  const profile = (client: TestClient, userId: string, field = '') =>
    client.get(`${V3}/profile/${encodeURIComponent(userId)}${field}`);
  const directory = (client: TestClient, alias: string) =>
    client.get(`${V3}/directory/room/${encodeURIComponent(alias)}`);

  describe('GET /profile/{userId} of another server’s user', () => {
    it('returns what the user’s server answers, whole and field by field', async () => {
      expect(
        (await pair.bob.put(`${V3}/profile/${encodeURIComponent(bobId())}/displayname`, { displayname: 'Bob B.' }))
          .status,
      ).toBe(200);
      expect(
        (
          await pair.bob.put(`${V3}/profile/${encodeURIComponent(bobId())}/avatar_url`, {
            avatar_url: `mxc://${pair.b.serverName}/bob`,
          })
        ).status,
      ).toBe(200);

      const whole = await profile(pair.alice, bobId());
      expect(whole.status).toBe(200);
      expect(whole.body).toEqual({ displayname: 'Bob B.', avatar_url: `mxc://${pair.b.serverName}/bob` });
      expect((await profile(pair.alice, bobId(), '/displayname')).body).toEqual({ displayname: 'Bob B.' });
      expect((await profile(pair.alice, bobId(), '/avatar_url')).body).toEqual({
        avatar_url: `mxc://${pair.b.serverName}/bob`,
      });
    });

    it('shows a Hearth peer’s off-duty field (docs/availability.md) to users of other servers', async () => {
      const carl = await signUp(pair.b.url, 'carl');
      const carlId = `@carl:${pair.b.serverName}`;
      const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      const schedule = {
        time_zone: 'UTC',
        working_days: [1, 2, 3, 4, 5, 6, 7],
        hours: { start: '09:00', end: '17:00' },
        holidays: [{ start: day(-1), end: day(1) }],
      };
      const put = await carl.put(
        `${V3}/user/${encodeURIComponent(carlId)}/account_data/org.hearth.availability`,
        schedule,
      );
      expect(put.status).toBe(200);
      const seen = await profile(pair.alice, carlId);
      expect(seen.status).toBe(200);
      expect(seen.body['org.hearth.off_duty']).toEqual({
        until: Date.parse(`${day(2)}T09:00:00Z`),
        until_local: expect.stringMatching(/^[A-Z][a-z]{2} 09:00$/),
        time_zone: 'UTC',
      });
    });

    it('keeps the answer for a little while (a minute) rather than asking again for every request', async () => {
      expect(
        (await pair.bob.put(`${V3}/profile/${encodeURIComponent(bobId())}/displayname`, { displayname: 'Bob Renamed' }))
          .status,
      ).toBe(200);
      expect((await profile(pair.bob, bobId())).body.displayname).toBe('Bob Renamed');
      expect((await profile(pair.alice, bobId(), '/displayname')).body).toEqual({ displayname: 'Bob B.' });
    });

    it('passes on the other server’s 404 for an unknown user', async () => {
      const res = await profile(pair.alice, `@nobody:${pair.b.serverName}`);
      expect(res.status).toBe(404);
      expect(res.body.errcode).toBe('M_NOT_FOUND');
      expect(res.body.error).toContain(pair.b.serverName);
    });

    it('passes on the other server’s 403 while no room is shared, and answers once one is', async () => {
      expect(
        (
          await pair.alice.put(`${V3}/profile/${encodeURIComponent(aliceId())}/displayname`, {
            displayname: 'Alice A.',
          })
        ).status,
      ).toBe(200);
      const refused = await profile(pair.bob, aliceId());
      expect(refused.status).toBe(403);
      expect(refused.body.errcode).toBe('M_FORBIDDEN');

      await sharedRoom(pair);
      const res = await profile(pair.bob, aliceId());
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ displayname: 'Alice A.' });
    });

    it('answers 502 when the user’s server cannot be reached, 403 for a server outside the federation policy, 400 for a bad user ID', async () => {
      const unreachable = await profile(pair.alice, '@someone:127.0.0.1:1');
      expect(unreachable.status).toBe(502);
      expect(unreachable.body.errcode).toBe('M_UNKNOWN');
      const denied = await profile(pair.alice, '@someone:hs.denied.example');
      expect(denied.status).toBe(403);
      expect(denied.body.errcode).toBe('M_FORBIDDEN');
      for (const bad of ['someone', '@no-server', `@:${pair.b.serverName}x:`]) {
        const res = await profile(pair.alice, bad);
        expect(res.status).toBe(400);
        expect(res.body.errcode).toBe('M_INVALID_PARAM');
      }
    });

    it('still needs an access token', async () => {
      expect((await profile(new TestClient(pair.a.url), bobId())).body.errcode).toBe('M_MISSING_TOKEN');
    });
  });

  describe('GET /directory/room/{roomAlias}', () => {
    let roomId: string;

    beforeAll(async () => {
      roomId = (await pair.bob.post(`${V3}/createRoom`, { preset: 'public_chat', room_alias_name: 'lounge' })).body
        .room_id as string;
    });

    it('resolves an alias without an access token, here and on another server (asked with /query/directory)', async () => {
      const alias = `#lounge:${pair.b.serverName}`;
      const local = await directory(new TestClient(pair.b.url), alias);
      expect(local.status).toBe(200);
      expect(local.body).toEqual({ room_id: roomId, servers: [pair.b.serverName] });
      const remote = await directory(new TestClient(pair.a.url), alias);
      expect(remote.status).toBe(200);
      expect(remote.body).toEqual({ room_id: roomId, servers: [pair.b.serverName] });
    });

    it('answers 404 for an alias the other server does not know, 502 when it cannot be reached, 403 outside the policy, 400 for a bad alias', async () => {
      const anonymous = new TestClient(pair.a.url);
      const missing = await directory(anonymous, `#nowhere:${pair.b.serverName}`);
      expect(missing.status).toBe(404);
      expect(missing.body.errcode).toBe('M_NOT_FOUND');
      const unreachable = await directory(anonymous, '#room:127.0.0.1:1');
      expect(unreachable.status).toBe(502);
      expect(unreachable.body.errcode).toBe('M_UNKNOWN');
      const denied = await directory(anonymous, '#room:hs.denied.example');
      expect(denied.status).toBe(403);
      expect(denied.body.errcode).toBe('M_FORBIDDEN');
      const bad = await directory(anonymous, 'lounge');
      expect(bad.status).toBe(400);
      expect(bad.body.errcode).toBe('M_INVALID_PARAM');
    });

    it('still needs an access token to add or remove an alias', async () => {
      const anonymous = new TestClient(pair.b.url);
      const alias = encodeURIComponent(`#other:${pair.b.serverName}`);
      expect((await anonymous.put(`${V3}/directory/room/${alias}`, { room_id: roomId })).body.errcode).toBe(
        'M_MISSING_TOKEN',
      );
      expect(
        (await anonymous.delete(`${V3}/directory/room/${encodeURIComponent(`#lounge:${pair.b.serverName}`)}`)).body
          .errcode,
      ).toBe('M_MISSING_TOKEN');
      expect((await anonymous.get(`${V3}/rooms/${encodeURIComponent(roomId)}/aliases`)).body.errcode).toBe(
        'M_MISSING_TOKEN',
      );
    });

    it('lets a user join through another server’s alias', async () => {
      const joined = await pair.alice.post(`${V3}/join/${encodeURIComponent(`#lounge:${pair.b.serverName}`)}`, {});
      expect(joined.status).toBe(200);
      expect(joined.body.room_id).toBe(roomId);
    });
  });
});
