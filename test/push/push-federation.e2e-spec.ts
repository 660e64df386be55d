import { sharedRoom, startFederatedPair, TestPushGateway, type FederatedPair } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

/** A message from another server notifies our user's phone: remote events take the same way to the gateway. */
describe('push for events from another server', () => {
  let pair: FederatedPair;
  let gateway: TestPushGateway;

  beforeAll(async () => {
    gateway = await TestPushGateway.start();
    pair = await startFederatedPair({
      b: { config: { push: { allow_http_gateways: true, allow_private_gateways: true } } },
    });
  });
  afterAll(async () => {
    await Promise.all([pair.a.destroy(), pair.b.destroy()]);
    await gateway.stop();
  });

  it("pushes Alice's message on A to Bob's phone through B", async () => {
    const roomId = await sharedRoom(pair);
    await pair.bob.post(`${V3}/pushers/set`, {
      kind: 'http',
      app_id: 'org.example.push',
      app_display_name: 'Example',
      device_display_name: "Bob's phone",
      lang: 'en',
      pushkey: 'bob-key',
      data: { url: gateway.url, format: 'event_id_only' },
    });
    const eventId = (
      await pair.alice.put(`${V3}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/fed1`, {
        msgtype: 'm.text',
        body: 'from across the federation',
      })
    ).body.event_id as string;
    const [received] = await gateway.waitFor(1, 30_000);
    expect(received?.notification).toMatchObject({
      event_id: eventId,
      room_id: roomId,
      counts: { unread: 1 },
      devices: [{ pushkey: 'bob-key', data: { format: 'event_id_only' } }],
    });
    expect(JSON.stringify(received)).not.toContain('from across the federation');
  }, 60_000);
});
