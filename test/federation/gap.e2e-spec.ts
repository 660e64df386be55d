import { Client } from 'pg';
import {
  eventually,
  sharedRoom,
  startFederatedPair,
  type FederatingHomeserver,
  type LooseBody,
  type TestClient,
} from '../support';

/**
 * A gap too large for get_missing_events: B misses 15 of A's events (they never reach it), then
 * gets the 16th. B takes the state at the event before it from A (`/state_ids`, `/event`) and
 * accepts the new event; the room keeps working both ways.
 */
describe('Federation: an event after a large gap is accepted with the state across the gap', () => {
  let a: FederatingHomeserver;
  let b: FederatingHomeserver;
  let alice: TestClient;
  let bob: TestClient;
  let roomId: string;

  beforeAll(async () => {
    const pair = await startFederatedPair({ b: { options: { netsplit: true } } });
    ({ a, b, alice, bob } = pair);
    roomId = await sharedRoom(pair, { preset: 'public_chat' });
  });

  afterAll(async () => {
    await Promise.all([a, b].map((server) => server?.destroy()));
  });

  const room = () => encodeURIComponent(roomId);
  const bodiesOn = async (client: TestClient) =>
    ((await client.get(`/_matrix/client/v3/rooms/${room()}/messages?dir=b&limit=100`)).body.chunk as LooseBody[])
      .filter((e) => e.type === 'm.room.message')
      .map((e) => e.content.body as string);

  it('accepts the event after the gap and carries on', async () => {
    b.proxy!.split();
    for (let i = 1; i <= 15; i++)
      await alice.put(`/_matrix/client/v3/rooms/${room()}/send/m.room.message/gap-${i}`, {
        msgtype: 'm.text',
        body: `missed ${i}`,
      });
    // Those 15 never reach B: A's outbox forgets them (as if B had been down past any catch-up).
    const database = new Client({ connectionString: a.config.databaseUrl });
    await database.connect();
    await database.query('DELETE FROM federation_outbox WHERE destination = $1', [b.serverName]);
    await database.query(
      'UPDATE federation_destinations SET failures = 0, retry_at = 0, leased_until = NULL WHERE destination = $1',
      [b.serverName],
    );
    await database.end();
    b.proxy!.heal();

    await alice.put(`/_matrix/client/v3/rooms/${room()}/send/m.room.message/after-gap`, {
      msgtype: 'm.text',
      body: 'after the gap',
    });
    await eventually(
      async () => ((await bodiesOn(bob)).includes('after the gap') ? true : undefined),
      'the event after the gap on B',
      20_000,
    );

    await bob.put(`/_matrix/client/v3/rooms/${room()}/send/m.room.message/reply`, {
      msgtype: 'm.text',
      body: 'bob after the gap',
    });
    await eventually(
      async () => ((await bodiesOn(alice)).includes('bob after the gap') ? true : undefined),
      'bob’s reply on A',
      20_000,
    );
  }, 60_000);
});
