import { DataSource } from 'typeorm';
import {
  eventually,
  sharedRoom,
  startFederatedPair,
  type FederatingHomeserver,
  type LooseBody,
  type TestClient,
} from '../support';
import { currentStatePositionDrift, roomActivityDrift } from '../support/room-activity';

/**
 * Two servers split apart, make conflicting changes, and heal: state resolution must bring both
 * to the same room state (spec "State resolution v2"; the classic "power change against a
 * concurrent change by the demoted user").
 */
describe('Federation: a netsplit with conflicting changes heals to the same state on both servers', () => {
  let a: FederatingHomeserver;
  let b: FederatingHomeserver;
  let alice: TestClient;
  let bob: TestClient;
  let roomId: string;

  beforeAll(async () => {
    const pair = await startFederatedPair({ a: { options: { netsplit: true } }, b: { options: { netsplit: true } } });
    ({ a, b, alice, bob } = pair);
    roomId = await sharedRoom(pair, { preset: 'public_chat', name: 'Original', room_version: '10' });
  });

  afterAll(async () => {
    await Promise.all([a, b].map((server) => server?.destroy()));
  });

  const bobId = () => `@bob:${b.serverName}`;
  const room = () => encodeURIComponent(roomId);
  const stateOf = async (client: TestClient) => {
    const events = (await client.get(`/_matrix/client/v3/rooms/${room()}/state`)).body as unknown as LooseBody[];
    const entries: Array<[string, string]> = events.map((e) => [
      `${e.type as string}|${e.state_key as string}`,
      e.event_id as string,
    ]);
    return Object.fromEntries(entries.sort(([x], [y]) => (x < y ? -1 : 1)));
  };
  const powerLevels = async (client: TestClient) =>
    (await client.get(`/_matrix/client/v3/rooms/${room()}/state/m.room.power_levels/`)).body;

  it('both servers agree before the split', async () => {
    const levels = await powerLevels(alice);
    expect(
      (
        await alice.put(`/_matrix/client/v3/rooms/${room()}/state/m.room.power_levels/`, {
          ...levels,
          users: { ...levels.users, [bobId()]: 50 },
        })
      ).status,
    ).toBe(200);
    await eventually(
      async () => ((await powerLevels(bob)).users?.[bobId()] === 50 ? true : undefined),
      'bob’s power on B',
    );
  });

  it('after conflicting changes on both sides, both converge on the same state', async () => {
    a.proxy!.split();
    b.proxy!.split();
    // A demotes bob; meanwhile on B, bob (still powerful there) renames the room.
    const levels = await powerLevels(alice);
    expect(
      (
        await alice.put(`/_matrix/client/v3/rooms/${room()}/state/m.room.power_levels/`, {
          ...levels,
          users: { ...levels.users, [bobId()]: 0 },
        })
      ).status,
    ).toBe(200);
    expect(
      (await alice.put(`/_matrix/client/v3/rooms/${room()}/state/m.room.topic/`, { topic: 'set on A' })).status,
    ).toBe(200);
    expect(
      (await bob.put(`/_matrix/client/v3/rooms/${room()}/state/m.room.name/`, { name: 'Renamed on B' })).status,
    ).toBe(200);
    expect((await bob.get(`/_matrix/client/v3/rooms/${room()}/state/m.room.name/`)).body.name).toBe('Renamed on B');
    await new Promise((resolve) => setTimeout(resolve, 500));
    a.proxy!.heal();
    b.proxy!.heal();

    const [onA, onB] = await eventually(
      async () => {
        const [stateA, stateB] = await Promise.all([stateOf(alice), stateOf(bob)]);
        return JSON.stringify(stateA) === JSON.stringify(stateB) && stateB['m.room.topic|']
          ? [stateA, stateB]
          : undefined;
      },
      'the same state on both servers',
      30_000,
    );
    expect(onA).toEqual(onB);
    // The demotion wins: bob's concurrent rename does not survive on either side.
    expect((await alice.get(`/_matrix/client/v3/rooms/${room()}/state/m.room.name/`)).body.name).toBe('Original');
    expect((await bob.get(`/_matrix/client/v3/rooms/${room()}/state/m.room.name/`)).body.name).toBe('Original');
    expect((await powerLevels(bob)).users[bobId()]).toBe(0);
  });

  it('keeps talking after the heal, in both directions', async () => {
    expect(
      (
        await bob.put(`/_matrix/client/v3/rooms/${room()}/send/m.room.message/after`, {
          msgtype: 'm.text',
          body: 'back from B',
        })
      ).status,
    ).toBe(200);
    await eventually(
      async () => {
        const chunk = (await alice.get(`/_matrix/client/v3/rooms/${room()}/messages?dir=b&limit=10`)).body
          .chunk as LooseBody[];
        return chunk.some((e) => e.content?.body === 'back from B') ? true : undefined;
      },
      'bob’s message on A',
      20_000,
    );
    expect(
      (
        await alice.put(`/_matrix/client/v3/rooms/${room()}/send/m.room.message/after`, {
          msgtype: 'm.text',
          body: 'back from A',
        })
      ).status,
    ).toBe(200);
    await eventually(
      async () => {
        const chunk = (await bob.get(`/_matrix/client/v3/rooms/${room()}/messages?dir=b&limit=10`)).body
          .chunk as LooseBody[];
        return chunk.some((e) => e.content?.body === 'back from A') ? true : undefined;
      },
      'alice’s message on B',
      20_000,
    );
    expect(await stateOf(alice)).toEqual(await stateOf(bob));
    // Resolved state replaced current state on both sides: its positions and the rooms' activity still match events.
    for (const server of [a, b]) {
      expect(await currentStatePositionDrift(server.server.app.get(DataSource))).toEqual([]);
      expect(await roomActivityDrift(server.server.app.get(DataSource))).toEqual([]);
    }
  });
});
