import { setTimeout as sleep } from 'node:timers/promises';
import { federationRequest, startFederatedPair, type FederatedPair } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

/**
 * Bob's server B joins a room after its first messages were sent on A, and more than it backfills
 * on joining: B holds none of the first, so
 * it asks A (`GET /_matrix/federation/v1/timestamp_to_event`), checks the event A names, and
 * answers Bob with it. Two real Hearth instances over TLS.
 */
describe('timestamp_to_event across two servers', () => {
  let pair: FederatedPair;
  let room: string;
  const early: { event_id: string; origin_server_ts: number }[] = [];

  beforeAll(async () => {
    pair = await startFederatedPair();
    room = (await pair.alice.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id;
    for (const body of ['before bob', 'still before bob']) {
      await sleep(5);
      const eventId = (
        await pair.alice.put(`${V3}/rooms/${encodeURIComponent(room)}/send/m.room.message/${early.length}`, {
          msgtype: 'm.text',
          body,
        })
      ).body.event_id as string;
      const event = await pair.alice.get(
        `${V3}/rooms/${encodeURIComponent(room)}/event/${encodeURIComponent(eventId)}`,
      );
      early.push({ event_id: eventId, origin_server_ts: event.body.origin_server_ts });
    }
    // more than B fetches when it joins (50 events of backfill), so the first two stay on A only
    for (let i = 0; i < 60; i++) {
      await pair.alice.put(`${V3}/rooms/${encodeURIComponent(room)}/send/m.room.message/filler${i}`, {
        msgtype: 'm.text',
        body: `filler ${i}`,
      });
    }
    await sleep(5);
    const joined = await pair.bob.post(
      `${V3}/join/${encodeURIComponent(room)}?via=${encodeURIComponent(pair.a.serverName)}`,
      {},
    );
    expect(joined.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([pair?.a.destroy(), pair?.b.destroy()]);
  });

  const lookup = (query: string) =>
    pair.bob.get(`/_matrix/client/v1/rooms/${encodeURIComponent(room)}/timestamp_to_event?${query}`);

  it('asks the other server for history from before we joined, both directions', async () => {
    const [first, second] = early as [(typeof early)[0], (typeof early)[0]];
    // B holds neither event: the answers can only come from A
    for (const { event_id } of early) {
      const held = await pair.bob.get(`${V3}/rooms/${encodeURIComponent(room)}/event/${encodeURIComponent(event_id)}`);
      expect(held.status).toBe(404);
    }
    const forwards = await lookup(`ts=${first.origin_server_ts}&dir=f`);
    expect(forwards.status).toBe(200);
    expect(forwards.body).toEqual(first);
    const backwards = await lookup(`ts=${second.origin_server_ts}&dir=b`);
    expect(backwards.status).toBe(200);
    expect(backwards.body).toEqual(second);
  });

  it('serves servers in the room, and refuses one that is not', async () => {
    const ask = (roomId: string, query: string) =>
      federationRequest(
        pair.a.federationUrl,
        'GET',
        `/_matrix/federation/v1/timestamp_to_event/${encodeURIComponent(roomId)}?${query}`,
        undefined,
        { origin: pair.b.serverName, key: pair.b.signingKey, destination: pair.a.serverName },
      );
    const [first] = early as [(typeof early)[0]];
    expect((await ask(room, `ts=${first.origin_server_ts}&dir=f`)).body).toEqual(first);
    const none = await ask(room, `ts=${Date.now() + 60_000}&dir=f`);
    expect([none.status, none.body.errcode]).toEqual([404, 'M_NOT_FOUND']);
    const bad = await ask(room, 'ts=soon&dir=f');
    expect([bad.status, bad.body.errcode]).toEqual([400, 'M_INVALID_PARAM']);

    const elsewhere = (await pair.alice.post(`${V3}/createRoom`, { preset: 'public_chat' })).body.room_id;
    const refused = await ask(elsewhere, `ts=${Date.now()}&dir=b`);
    expect([refused.status, refused.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
  });
});
