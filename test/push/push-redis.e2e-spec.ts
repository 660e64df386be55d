import { signUp, startTestHomeserver, TEST_REDIS_URL, TestPushGateway, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

/**
 * Push on the production shape: BullMQ on Redis carries the push queue (`hearth-push-<server>`),
 * and an API process that does not consume (`delivery.consume: false`) still feeds what its own
 * commits notify, for a consuming process on the same database and Redis to send.
 */
describe('push through BullMQ on Redis', () => {
  let api: TestHomeserver;
  let worker: TestHomeserver | undefined;
  let gateway: TestPushGateway;
  const config = {
    server_name: 'push-redis.example',
    registration: 'open',
    redis_url: TEST_REDIS_URL,
    push: { allow_http_gateways: true, allow_private_gateways: true },
  };

  beforeAll(async () => {
    gateway = await TestPushGateway.start();
    api = await startTestHomeserver({ config: { ...config, delivery: { consume: false } } });
  });
  afterAll(async () => {
    await worker?.stop();
    await api.destroy();
    await gateway.stop();
  });

  it('pushes from an API process through a consumer elsewhere, in order', async () => {
    const ana = await signUp(api.url, 'ana');
    const bea = await signUp(api.url, 'bea');
    const roomId = (await ana.post(`${V3}/createRoom`, { preset: 'private_chat', invite: ['@bea:push-redis.example'] }))
      .body.room_id as string;
    await bea.post(`${V3}/join/${roomId}`, {});
    await bea.post(`${V3}/pushers/set`, {
      kind: 'http',
      app_id: 'org.example.push',
      app_display_name: 'Example',
      device_display_name: 'Phone',
      lang: 'en',
      pushkey: 'redis-key',
      data: { url: gateway.url },
    });
    const sent: string[] = [];
    for (let i = 0; i < 5; i++)
      sent.push(
        (await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/r${i}`, { msgtype: 'm.text', body: `m${i}` })).body
          .event_id,
      );

    // Nothing goes out while no process consumes the queue.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(gateway.received).toHaveLength(0);

    // A second process on the same database and Redis (a `hearth worker`, in effect) takes the jobs.
    worker = await startTestHomeserver({
      config,
      database: { url: api.config.databaseUrl, drop: () => Promise.resolve() },
      dataDir: api.config.dataDir,
    });
    const received = await gateway.waitFor(5, 30_000);
    expect(received.map((r) => String(r.notification.event_id))).toEqual(sent);
  }, 60_000);
});
