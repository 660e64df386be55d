// Drives Hearth's simplified sliding sync (MSC4186) with matrix-js-sdk's own SlidingSync class,
// as Element Web does: a list of rooms, a room subscription, and the SDK's extensions (to_device,
// e2ee, account_data, typing, receipts). An ES module, so it runs in a plain Node process; exits 0
// when every step held. Usage: node js-sdk-sliding-scenario.mjs <homeserver URL>
import assert from 'node:assert/strict';
import * as sdk from 'matrix-js-sdk';
import { logger } from 'matrix-js-sdk/lib/logger.js';
import { SlidingSync, SlidingSyncEvent, SlidingSyncState } from 'matrix-js-sdk/lib/sliding-sync.js';

logger.setLevel('silent');
const baseUrl = process.argv[2];
const WAIT_MS = 15_000;
const V3 = `${baseUrl}/_matrix/client/v3`;

async function call(method, path, token, body) {
  const res = await fetch(`${V3}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

async function register(username) {
  const first = await call('POST', '/register', undefined, { username, password: 'pw' });
  const done = await call('POST', '/register', undefined, {
    username,
    password: 'pw',
    auth: { type: 'm.login.dummy', session: first.session },
  });
  assert.ok(done.access_token, `registering ${username}: ${JSON.stringify(done)}`);
  return done;
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

const enc = encodeURIComponent;
let txn = 0;
const say = (account, roomId, body) =>
  call('PUT', `/rooms/${enc(roomId)}/send/m.room.message/js${txn++}`, account.access_token, {
    msgtype: 'm.text',
    body,
  });

const ana = await register('ana');
const bea = await register('bea');
const room = (await call('POST', '/createRoom', ana.access_token, { preset: 'public_chat', name: 'Sliding' })).room_id;
const quiet = (await call('POST', '/createRoom', ana.access_token, { preset: 'public_chat', name: 'Quiet' })).room_id;
for (const roomId of [quiet, room]) await call('POST', `/join/${enc(roomId)}`, bea.access_token, {});
await say(ana, room, 'hello');

const client = sdk.createClient({
  baseUrl,
  accessToken: bea.access_token,
  userId: bea.user_id,
  deviceId: bea.device_id,
});
const roomConfig = { timeline_limit: 10, required_state: [['*', '*']] };
const slidingSync = new SlidingSync(
  baseUrl,
  new Map([['top', { ranges: [[0, 0]], ...roomConfig }]]),
  roomConfig,
  client,
  5000,
);
const roomData = [];
const completed = [];
slidingSync.on(SlidingSyncEvent.RoomData, (roomId) => roomData.push(roomId));
slidingSync.on(SlidingSyncEvent.Lifecycle, (state, response, error) => {
  if (error) console.error('sliding sync error', error);
  if (state === SlidingSyncState.Complete) completed.push(response);
});
await client.startClient({ slidingSync });

try {
  // The list's top room (the newest activity) comes whole, with its name and timeline.
  const hello = await until('the top room with its first message', () =>
    client
      .getRoom(room)
      ?.getLiveTimeline()
      .getEvents()
      .find((e) => e.getContent().body === 'hello'),
  );
  assert.equal(hello.getSender(), ana.user_id);
  assert.equal(client.getRoom(room).name, 'Sliding');
  assert.equal(slidingSync.getListData('top').joinedCount, 2);
  assert.ok(!roomData.includes(quiet), 'the room outside the range is not sent');

  // A message arrives through the waiting request.
  await say(ana, room, 'live');
  await until('the live message', () =>
    client
      .getRoom(room)
      .getLiveTimeline()
      .getEvents()
      .some((e) => e.getContent().body === 'live'),
  );

  // The quiet room moves to the top when a message arrives in it.
  await say(ana, quiet, 'now me');
  await until('the quiet room, now on top', () =>
    client
      .getRoom(quiet)
      ?.getLiveTimeline()
      .getEvents()
      .some((e) => e.getContent().body === 'now me'),
  );

  // Extensions: typing and receipts (of the rooms in the list's range, now the quiet room), account
  // data and to-device messages reach the client.
  await call('PUT', `/rooms/${enc(quiet)}/typing/${enc(ana.user_id)}`, ana.access_token, {
    typing: true,
    timeout: 30000,
  });
  await until('ana typing', () => client.getRoom(quiet).getMember(ana.user_id)?.typing);
  const { event_id: last } = await say(ana, quiet, 'read this');
  await call('POST', `/rooms/${enc(quiet)}/receipt/m.read/${enc(last)}`, ana.access_token, {});
  await until('ana read receipt', () => client.getRoom(quiet).getEventReadUpTo(ana.user_id) === last);
  await call('PUT', `/user/${enc(bea.user_id)}/account_data/org.example.setting`, bea.access_token, { on: true });
  await until('account data', () => client.getAccountData('org.example.setting')?.getContent().on === true);
  const toDevice = new Promise((resolve) => client.on(sdk.ClientEvent.ToDeviceEvent, resolve));
  await call('PUT', `/sendToDevice/org.example.ping/td1`, ana.access_token, {
    messages: { [bea.user_id]: { [bea.device_id]: { ping: 1 } } },
  });
  const ping = await Promise.race([
    toDevice,
    new Promise((_, reject) => setTimeout(() => reject(new Error('no to-device')), WAIT_MS)),
  ]);
  assert.equal(ping.getContent().ping, 1);

  // A room subscription brings a room outside the list's range; with a wider config than the
  // room was sent with (a longer timeline, the same state), it comes with the longer timeline (as
  // Synapse: unstable_expanded_timeline, not initial).
  const third = (await call('POST', '/createRoom', ana.access_token, { preset: 'public_chat', name: 'Third' })).room_id;
  await call('POST', `/join/${enc(third)}`, bea.access_token, {});
  await say(ana, quiet, 'keep quiet on top');
  const mark = completed.length;
  slidingSync.modifyRoomSubscriptionInfo({ timeline_limit: 20, required_state: [['*', '*']] });
  slidingSync.modifyRoomSubscriptions(new Set([room]));
  const resent = await until('the subscribed room sent again', () =>
    completed.slice(mark).find((response) => response?.rooms?.[room]),
  );
  assert.equal(resent.rooms[room].initial, undefined);
  assert.equal(resent.rooms[room].unstable_expanded_timeline, true);
  assert.equal(resent.rooms[room].lists, undefined);
  await until('the third room counted', () => slidingSync.getListData('top').joinedCount === 3);
  console.log('sliding sync scenario passed');
} finally {
  slidingSync.stop();
  client.stopClient();
}
process.exit(0);
