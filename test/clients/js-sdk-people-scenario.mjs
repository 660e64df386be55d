// matrix-js-sdk's own calls for finding people, search and tags against Hearth (an ES module, so
// it runs in a plain Node process). Exits 0 when every step held, else prints the failed step and
// exits 1. Usage: node js-sdk-people-scenario.mjs <homeserver URL>
import assert from 'node:assert/strict';
import * as sdk from 'matrix-js-sdk';
import { logger } from 'matrix-js-sdk/lib/logger.js';

logger.setLevel('silent');
const baseUrl = process.argv[2];
const WAIT_MS = 15_000;

async function register(username) {
  const call = (body) =>
    fetch(`${baseUrl}/_matrix/client/v3/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((res) => res.json());
  const first = await call({ username, password: 'js-sdk-password' });
  const done = await call({
    username,
    password: 'js-sdk-password',
    auth: { type: 'm.login.dummy', session: first.session },
  });
  assert.ok(done.access_token, `registering ${username}: ${JSON.stringify(done)}`);
  return sdk.createClient({ baseUrl, accessToken: done.access_token, userId: done.user_id, deviceId: done.device_id });
}

async function until(what, check) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function main() {
  const ana = await register('ana');
  const bea = await register('bea');
  await ana.setDisplayName('Ana Lúcia');
  await bea.setDisplayName('Beatriz');
  const { room_id: roomId } = await ana.createRoom({ preset: 'private_chat', invite: [bea.getUserId()] });
  await bea.joinRoom(roomId);
  for (let i = 0; i < 12; i++) await ana.sendTextMessage(roomId, `picnic plan ${i}`);
  await bea.sendTextMessage(roomId, 'nothing to do with it');

  const prepared = new Promise((resolve) => ana.on(sdk.ClientEvent.Sync, (state) => state === 'PREPARED' && resolve()));
  await ana.startClient({ initialSyncLimit: 5 });
  await prepared;

  // searchRoomEvents: recent first, 10 to a page, context and profiles; backPaginate for the rest.
  const results = await ana.searchRoomEvents({ term: 'picnic' });
  assert.equal(results.count, 12);
  assert.equal(results.results.length, 10);
  assert.ok(results.next_batch, 'a next_batch after the first page');
  assert.deepEqual(results.highlights, ['picnic']);
  const first = results.results[0].context;
  assert.equal(first.getEvent().getContent().body, 'picnic plan 11');
  assert.equal(first.getTimeline().at(-1).getContent().body, 'nothing to do with it');
  const more = await ana.backPaginateRoomEventsSearch(results);
  assert.equal(more.results.length, 12);
  assert.equal(more.next_batch, undefined);
  assert.deepEqual(
    more.results.map((r) => r.context.getEvent().getContent().body),
    Array.from({ length: 12 }, (_, i) => `picnic plan ${11 - i}`),
  );
  const fromBea = await bea.searchRoomEvents({ term: 'PICNIC plan 3' });
  assert.deepEqual(
    fromBea.results.map((r) => r.context.getEvent().getContent().body),
    ['picnic plan 3'],
  );

  // searchUserDirectory: prefixes, accents and case ignored.
  const found = await bea.searchUserDirectory({ term: 'ana luc' });
  assert.deepEqual(found, { results: [{ user_id: ana.getUserId(), display_name: 'Ana Lúcia' }], limited: false });
  const limited = await ana.searchUserDirectory({ term: 'b', limit: 0 });
  assert.deepEqual(limited, { results: [], limited: true });

  // Room tags: set through the SDK, back through /sync into room.tags.
  await ana.setRoomTag(roomId, 'm.favourite', { order: 0.25 });
  await until('the favourite tag in sync', () => ana.getRoom(roomId)?.tags?.['m.favourite']?.order === 0.25);
  await ana.deleteRoomTag(roomId, 'm.favourite');
  await until('the tag gone in sync', () => ana.getRoom(roomId)?.tags?.['m.favourite'] === undefined);

  ana.stopClient();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
