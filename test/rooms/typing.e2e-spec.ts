import { TypingService } from '@hearth/rooms';
import { signUp, startTestHomeserver, type TestClient, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

describe('typing notifications', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let bea: TestClient;
  let roomId: string;
  let typing: TypingService;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'ty.example', registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    bea = await signUp(hs.url, 'bea');
    roomId = (await ana.post(`${V3}/createRoom`, {})).body.room_id;
    typing = hs.server.app.get(TypingService);
  });
  afterAll(() => hs.destroy());

  it('records typing with a timeout, stops on request, and expires by itself', async () => {
    const before = typing.streamPosition;
    expect((await ana.put(`${V3}/rooms/${roomId}/typing/@ana:ty.example`, { typing: true, timeout: 200 })).status).toBe(
      200,
    );
    expect(typing.typingIn(roomId)).toEqual(['@ana:ty.example']);
    expect(typing.streamPosition).toBeGreaterThan(before);
    expect(typing.typingIn(roomId, Date.now() + 1000)).toEqual([]);
    await ana.put(`${V3}/rooms/${roomId}/typing/@ana:ty.example`, { typing: true, timeout: 30_000 });
    await ana.put(`${V3}/rooms/${roomId}/typing/@ana:ty.example`, { typing: false });
    expect(typing.typingIn(roomId)).toEqual([]);
  });

  it('refuses typing for someone else or in a room one is not in', async () => {
    expect((await ana.put(`${V3}/rooms/${roomId}/typing/@bea:ty.example`, { typing: true })).status).toBe(403);
    expect((await bea.put(`${V3}/rooms/${roomId}/typing/@bea:ty.example`, { typing: true })).status).toBe(403);
    expect((await ana.put(`${V3}/rooms/${roomId}/typing/@ana:ty.example`, { typing: 'yes' })).body.errcode).toBe(
      'M_BAD_JSON',
    );
  });
});
