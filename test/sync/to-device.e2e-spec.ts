import { startTestHomeserver, TestClient, type LooseBody, type TestHomeserver } from '@hearth/testing';

const V3 = '/_matrix/client/v3';

describe('send-to-device messages through /sync', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let beaPhone: TestClient;
  let beaLaptop: TestClient;
  const BEA = '@bea:todevice.example';

  const login = async (user: string, deviceId: string) => {
    const res = await new TestClient(hs.url).loginPassword(user, 'pw', { device_id: deviceId });
    expect(res.status).toBe(200);
    return new TestClient(hs.url, res.body.access_token as string);
  };
  const sync = async (client: TestClient, since?: string, timeout = 0) => {
    const res = await client.get(`${V3}/sync?timeout=${timeout}${since ? `&since=${since}` : ''}`);
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'todevice.example', registration: 'open' } });
    for (const name of ['ana', 'bea']) expect((await new TestClient(hs.url).registerOpen(name, 'pw')).status).toBe(200);
    ana = await login('ana', 'ANADESK');
    beaPhone = await login('bea', 'PHONE');
    beaLaptop = await login('bea', 'LAPTOP');
  });
  afterAll(() => hs.destroy());

  it('delivers to the named device and to every device for *, once, until acknowledged', async () => {
    const phoneStart = await sync(beaPhone);
    const laptopStart = await sync(beaLaptop);
    expect(
      (
        await ana.put(`${V3}/sendToDevice/m.room_key_request/t1`, {
          messages: { [BEA]: { PHONE: { action: 'request', n: 1 } } },
        })
      ).status,
    ).toBe(200);
    expect(
      (await ana.put(`${V3}/sendToDevice/org.example.ping/t2`, { messages: { [BEA]: { '*': { n: 2 } } } })).status,
    ).toBe(200);
    // A retry of a transaction delivers nothing new.
    expect(
      (await ana.put(`${V3}/sendToDevice/org.example.ping/t2`, { messages: { [BEA]: { '*': { n: 2 } } } })).status,
    ).toBe(200);

    const phone = await sync(beaPhone, phoneStart.next_batch);
    expect(phone.to_device.events).toEqual([
      { sender: '@ana:todevice.example', type: 'm.room_key_request', content: { action: 'request', n: 1 } },
      { sender: '@ana:todevice.example', type: 'org.example.ping', content: { n: 2 } },
    ]);
    const laptop = await sync(beaLaptop, laptopStart.next_batch);
    expect((laptop.to_device.events as LooseBody[]).map((e) => e.content.n as number)).toEqual([2]);

    // Until the device syncs with the new token, the same token gets the messages again...
    expect((await sync(beaPhone, phoneStart.next_batch)).to_device.events).toHaveLength(2);
    // ...and once it has, they are gone for good.
    const acknowledged = await sync(beaPhone, phone.next_batch);
    expect(acknowledged.to_device.events).toEqual([]);
    expect((await sync(beaPhone, phoneStart.next_batch)).to_device.events).toEqual([]);
  });

  it('wakes a waiting sync of the receiving device', async () => {
    const start = await sync(beaLaptop);
    const waiting = sync(beaLaptop, start.next_batch, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(
      (await ana.put(`${V3}/sendToDevice/org.example.ping/t3`, { messages: { [BEA]: { LAPTOP: { n: 3 } } } })).status,
    ).toBe(200);
    expect((await waiting).to_device.events).toEqual([
      { sender: '@ana:todevice.example', type: 'org.example.ping', content: { n: 3 } },
    ]);
  });

  it('hands a backlog over in batches, a long poll with the token of one batch answering at once with the rest', async () => {
    const tablet = await login('bea', 'TABLET');
    const start = await sync(tablet);
    for (let n = 0; n < 130; n++) {
      const res = await ana.put(`${V3}/sendToDevice/org.example.burst/b${n}`, {
        messages: { [BEA]: { TABLET: { n } } },
      });
      expect(res.status).toBe(200);
    }
    const first = await sync(tablet, start.next_batch, 20_000);
    expect(first.to_device.events).toHaveLength(100);
    const began = Date.now();
    const second = await sync(tablet, first.next_batch, 20_000);
    expect(Date.now() - began).toBeLessThan(10_000);
    expect((second.to_device.events as LooseBody[]).map((e) => e.content.n as number)).toEqual(
      Array.from({ length: 30 }, (_, i) => 100 + i),
    );
  });

  it('refuses malformed bodies and user IDs', async () => {
    expect(
      (await ana.put(`${V3}/sendToDevice/org.example.ping/t4`, { messages: { [BEA]: 'hello' } })).body.errcode,
    ).toBe('M_BAD_JSON');
    expect((await ana.put(`${V3}/sendToDevice/org.example.ping/t5`, {})).body.errcode).toBe('M_BAD_JSON');
    expect(
      (await ana.put(`${V3}/sendToDevice/org.example.ping/t6`, { messages: { 'not-a-user': { X: {} } } })).body.errcode,
    ).toBe('M_INVALID_PARAM');
  });
});
