import {
  computeEventId,
  generateSigningKey,
  getRoomVersion,
  signEvent,
  signingKeyFromSeed,
  type JsonObject,
  type RoomVersion,
} from '@hearth/protocol';
import {
  federationRequest,
  makeTestCertificate,
  signUp,
  startFederatingHomeserver,
  type FederatingHomeserver,
  type LooseBody,
  type TestClient,
} from '../support';

/**
 * The test plays server A towards server B: it holds A's signing key and crafts PDUs, good and
 * forged, in a room both servers are in.
 */
describe('Federation: forged PDUs are rejected without harming the room', () => {
  let a: FederatingHomeserver;
  let b: FederatingHomeserver;
  let alice: TestClient;
  let bob: TestClient;
  let roomId: string;
  let version: RoomVersion;
  let txn = 0;

  beforeAll(async () => {
    const certificate = makeTestCertificate();
    [a, b] = await Promise.all([
      startFederatingHomeserver(certificate, { registration: 'open' }),
      startFederatingHomeserver(certificate, { registration: 'open' }),
    ]);
    [alice, bob] = await Promise.all([signUp(a.url, 'alice'), signUp(b.url, 'bob')]);
    const created = await alice.post('/_matrix/client/v3/createRoom', { preset: 'public_chat', room_version: '10' });
    roomId = created.body.room_id;
    version = getRoomVersion('10')!;
    expect(
      (
        await bob.post(
          `/_matrix/client/v3/join/${encodeURIComponent(roomId)}?via=${encodeURIComponent(a.serverName)}`,
          {},
        )
      ).status,
    ).toBe(200);
  });

  afterAll(async () => {
    await Promise.all([a, b].map((server) => server?.destroy()));
  });

  /** IDs of the room's create, power levels and the sender's membership, and of the newest event, as A knows them. */
  async function placeInRoom(sender: string): Promise<{ authEvents: string[]; prevEvents: string[] }> {
    const state = (await alice.get(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state`))
      .body as unknown as LooseBody[];
    const find = (type: string, stateKey = '') =>
      state.find((e) => e.type === type && e.state_key === stateKey)?.event_id as string | undefined;
    const authEvents = [find('m.room.create'), find('m.room.power_levels'), find('m.room.member', sender)].filter(
      (id): id is string => id !== undefined,
    );
    const newest = (await alice.get(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=1`))
      .body.chunk[0].event_id as string;
    return { authEvents, prevEvents: [newest] };
  }

  async function craft(
    fields: { sender?: string; type?: string; content?: JsonObject; stateKey?: string; prevEvents?: string[] },
    key = a.signingKey,
  ) {
    const sender = fields.sender ?? `@alice:${a.serverName}`;
    const place = await placeInRoom(sender);
    const pdu: JsonObject = {
      room_id: roomId,
      sender,
      type: fields.type ?? 'm.room.message',
      content: fields.content ?? { msgtype: 'm.text', body: 'hello' },
      origin_server_ts: Date.now(),
      origin: a.serverName,
      depth: 1000,
      prev_events: fields.prevEvents ?? place.prevEvents,
      auth_events: place.authEvents,
      ...(fields.stateKey !== undefined ? { state_key: fields.stateKey } : {}),
    };
    const signed = signEvent(pdu, a.serverName, key, version);
    return { pdu: signed, eventId: computeEventId(signed, version) };
  }

  const send = (pdus: JsonObject[]) =>
    federationRequest(
      b.federationUrl,
      'PUT',
      `/_matrix/federation/v1/send/forged-${++txn}`,
      { origin: a.serverName, origin_server_ts: Date.now(), pdus, edus: [] },
      {
        origin: a.serverName,
        key: a.signingKey,
        destination: b.serverName,
      },
    );

  const bobSees = async (eventId: string) =>
    (await bob.get(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`)).body;

  it('accepts a well-formed, signed and authorised PDU', async () => {
    const good = await craft({ content: { msgtype: 'm.text', body: 'genuine' } });
    const res = await send([good.pdu]);
    expect(res.status).toBe(200);
    expect(res.body.pdus[good.eventId]).toEqual({});
    expect((await bobSees(good.eventId)).content).toEqual({ msgtype: 'm.text', body: 'genuine' });
  });

  it('drops a PDU with a bad signature, and keeps processing the rest of the transaction', async () => {
    const forged = await craft(
      { content: { msgtype: 'm.text', body: 'forged' } },
      signingKeyFromSeed(a.signingKey.version, generateSigningKey().seed),
    );
    const res = await send([forged.pdu]);
    expect(res.status).toBe(200);
    expect(res.body.pdus[forged.eventId]).toBeUndefined();
    expect((await bobSees(forged.eventId)).errcode).toBe('M_NOT_FOUND');

    const good = await craft({ content: { msgtype: 'm.text', body: 'after the forgery' } });
    const both = await send([forged.pdu, good.pdu]);
    expect(both.body.pdus[good.eventId]).toEqual({});
  });

  it('redacts a PDU whose content does not match its hash before using it', async () => {
    const genuine = await craft({ content: { msgtype: 'm.text', body: 'original' } });
    // The signature covers the redacted event, so it still verifies; the hash does not.
    const tampered = { ...genuine.pdu, content: { msgtype: 'm.text', body: 'tampered' } };
    const res = await send([tampered]);
    expect(res.body.pdus[genuine.eventId]).toEqual({});
    expect((await bobSees(genuine.eventId)).content).toEqual({});
  });

  it('rejects a state change the auth rules do not allow', async () => {
    const place = await placeInRoom(`@alice:${a.serverName}`);
    const mallory = `@mallory:${a.serverName}`;
    const forged = await craft({
      sender: mallory,
      type: 'm.room.power_levels',
      stateKey: '',
      content: { users: { [mallory]: 100 } },
      prevEvents: place.prevEvents,
    });
    const res = await send([forged.pdu]);
    expect(res.body.pdus[forged.eventId].error).toMatch(/rejected/);
    expect((await bobSees(forged.eventId)).errcode).toBe('M_NOT_FOUND');
    const powerLevels = await bob.get(
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state/m.room.power_levels/`,
    );
    expect(powerLevels.body.users[mallory]).toBeUndefined();
  });

  it('does not store an event whose prev_events point at nothing', async () => {
    const dangling = await craft({ prevEvents: ['$doesnotexistanywhere000000000000000000000000'] });
    const res = await send([dangling.pdu]);
    expect(res.body.pdus[dangling.eventId].error).toBeDefined();
    expect((await bobSees(dangling.eventId)).errcode).toBe('M_NOT_FOUND');
  });

  it('answers malformed transactions with 400 and a Matrix error', async () => {
    const res = await federationRequest(
      b.federationUrl,
      'PUT',
      '/_matrix/federation/v1/send/bad-1',
      { origin: a.serverName, pdus: 'nope' },
      {
        origin: a.serverName,
        key: a.signingKey,
        destination: b.serverName,
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_BAD_JSON');
    const spoofed = await federationRequest(
      b.federationUrl,
      'PUT',
      '/_matrix/federation/v1/send/bad-2',
      { origin: 'someone.else', origin_server_ts: 1, pdus: [] },
      {
        origin: a.serverName,
        key: a.signingKey,
        destination: b.serverName,
      },
    );
    expect(spoofed.status).toBe(403);
  });

  it('refuses, one by one, PDUs and EDUs whose strings PostgreSQL cannot store (U+0000, lone surrogates) or that nest too deep', async () => {
    const nul = await craft({ content: { msgtype: 'm.text', body: 'nul \u0000 inside' } });
    const surrogate = await craft({ content: { msgtype: 'm.text', ['key \ud800']: 'lone surrogate in a key' } });
    let deep: JsonObject = { msgtype: 'm.text', body: 'deep' };
    for (let i = 0; i < 200; i++) deep = { nested: deep };
    const tooDeep = await craft({ content: deep });
    const good = await craft({ content: { msgtype: 'm.text', body: 'beside the bad ones' } });
    const res = await federationRequest(
      b.federationUrl,
      'PUT',
      `/_matrix/federation/v1/send/hostile-${++txn}`,
      {
        origin: a.serverName,
        origin_server_ts: Date.now(),
        pdus: [nul.pdu, surrogate.pdu, tooDeep.pdu, good.pdu],
        edus: [
          {
            edu_type: 'm.typing',
            content: { room_id: `${roomId}\u0000`, user_id: `@alice:${a.serverName}`, typing: true },
          },
        ],
      },
      { origin: a.serverName, key: a.signingKey, destination: b.serverName },
    );
    expect(res.status).toBe(200);
    expect(res.body.pdus[nul.eventId].error).toMatch(/U\+0000/);
    expect(res.body.pdus[surrogate.eventId].error).toMatch(/unpaired surrogates/);
    expect(res.body.pdus[tooDeep.eventId].error).toMatch(/nested deeper/);
    expect(res.body.pdus[good.eventId]).toEqual({});
    expect((await bobSees(nul.eventId)).errcode).toBe('M_NOT_FOUND');
    expect((await bobSees(good.eventId)).content.body).toBe('beside the bad ones');
  });

  it('drops malformed EDUs one by one and acts on the well-formed ones beside them', async () => {
    const aliceId = `@alice:${a.serverName}`;
    const res = await federationRequest(
      b.federationUrl,
      'PUT',
      `/_matrix/federation/v1/send/edus-${++txn}`,
      {
        origin: a.serverName,
        origin_server_ts: Date.now(),
        pdus: [],
        edus: [
          'not an EDU',
          { edu_type: 'm.typing' },
          { edu_type: 'm.typing', content: { room_id: roomId, user_id: aliceId, typing: 'yes' } },
          { edu_type: 'm.receipt', content: { [roomId]: { 'm.read': { [aliceId]: { event_ids: 'not a list' } } } } },
          { edu_type: 'm.device_list_update', content: { user_id: aliceId } },
          { edu_type: 'm.direct_to_device', content: { sender: aliceId, messages: [] } },
          { edu_type: 'm.presence', content: { push: [] } },
          { edu_type: 'm.typing', content: { room_id: roomId, user_id: aliceId, typing: true } },
        ],
      },
      { origin: a.serverName, key: a.signingKey, destination: b.serverName },
    );
    expect(res.status).toBe(200);
    const sync = await bob.get('/_matrix/client/v3/sync?timeout=0');
    const typing = (sync.body.rooms?.join?.[roomId]?.ephemeral?.events as LooseBody[]).find(
      (e) => e.type === 'm.typing',
    );
    expect(typing?.content.user_ids).toEqual([aliceId]);
  });

  it('answers a transaction nested far too deep with 400 M_BAD_JSON, never a 500', async () => {
    // The body is refused before the signature is even looked at, so the plain listener will do.
    const body = `{"origin":${JSON.stringify(a.serverName)},"origin_server_ts":1,"pdus":[${'['.repeat(10_000)}${']'.repeat(10_000)}]}`;
    const res = await fetch(`${b.url}/_matrix/federation/v1/send/deep-${++txn}`, {
      method: 'PUT',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errcode: string }).errcode).toBe('M_BAD_JSON');
  });

  it('keeps the room working after all of this', async () => {
    expect(
      (
        await alice.put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/still-fine`, {
          msgtype: 'm.text',
          body: 'still fine',
        })
      ).status,
    ).toBe(200);
    const deadline = Date.now() + 10_000;
    let found = false;
    while (!found && Date.now() < deadline) {
      const chunk = (await bob.get(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=5`))
        .body.chunk as LooseBody[];
      found = chunk.some((e) => e.content?.body === 'still fine');
      if (!found) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(found).toBe(true);
  });
});
