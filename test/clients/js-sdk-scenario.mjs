// Drives a Hearth homeserver with the real matrix-js-sdk (an ES module, so it runs in a plain
// Node process rather than under jest). Exits 0 when every step held, else prints the failed
// step and exits 1. Usage: node js-sdk-scenario.mjs <homeserver URL>
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
  return done;
}

async function start(account) {
  const client = sdk.createClient({
    baseUrl,
    accessToken: account.access_token,
    userId: account.user_id,
    deviceId: account.device_id,
  });
  const prepared = new Promise((resolve, reject) => {
    client.on(sdk.ClientEvent.Sync, (state, _previous, data) => {
      if (state === 'PREPARED') resolve();
      if (state === 'ERROR') reject(data?.error ?? new Error('sync error'));
    });
  });
  await client.startClient({ initialSyncLimit: 20 });
  await prepared;
  return client;
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

const timeline = (client, roomId) => client.getRoom(roomId)?.getLiveTimeline().getEvents() ?? [];
const findEvent = (client, roomId, predicate) => timeline(client, roomId).find(predicate);
const bodyIs = (body) => (event) => event.getType() === 'm.room.message' && event.getContent().body === body;

async function main() {
  const anaAccount = await register('js_ana');
  const beaAccount = await register('js_bea');
  const ana = await start(anaAccount);
  const bea = await start(beaAccount);

  const { room_id: roomId } = await ana.createRoom({
    name: 'js-sdk room',
    preset: 'private_chat',
    invite: [beaAccount.user_id],
  });
  await until('bea sees the invite', () => bea.getRoom(roomId)?.getMyMembership() === 'invite');
  await bea.joinRoom(roomId);
  await until('ana sees bea join', () => ana.getRoom(roomId)?.getMember(beaAccount.user_id)?.membership === 'join');
  assert.equal(bea.getRoom(roomId).name, 'js-sdk room');

  const { event_id: hello } = await ana.sendTextMessage(roomId, 'hello from ana');
  await until('bea receives the message', () => findEvent(bea, roomId, bodyIs('hello from ana')));
  await bea.sendTextMessage(roomId, 'hi ana');
  await until('ana receives the reply', () => findEvent(ana, roomId, bodyIs('hi ana')));

  await ana.sendEvent(roomId, 'm.room.message', {
    msgtype: 'm.text',
    body: '* hello again',
    'm.new_content': { msgtype: 'm.text', body: 'hello again' },
    'm.relates_to': { rel_type: 'm.replace', event_id: hello },
  });
  await until('bea sees the edit applied', () => findEvent(bea, roomId, (e) => e.getId() === hello)?.replacingEvent());
  await bea.sendEvent(roomId, 'm.reaction', {
    'm.relates_to': { rel_type: 'm.annotation', event_id: hello, key: '👍' },
  });
  await until('ana sees the reaction', () => findEvent(ana, roomId, (e) => e.getType() === 'm.reaction'));

  await bea.sendTyping(roomId, true, 30_000);
  await until('ana sees bea typing', () => ana.getRoom(roomId)?.getMember(beaAccount.user_id)?.typing === true);
  await bea.sendTyping(roomId, false, 0);
  await until('ana sees bea stop typing', () => ana.getRoom(roomId)?.getMember(beaAccount.user_id)?.typing === false);

  // A receipt on a message after bea's own last one (an older one would not move her marker).
  const { event_id: toRead } = await ana.sendTextMessage(roomId, 'please read');
  await until('bea receives the message to read', () => findEvent(bea, roomId, (e) => e.getId() === toRead));
  await bea.sendReadReceipt(findEvent(bea, roomId, (e) => e.getId() === toRead));
  await until('ana sees bea\u2019s read receipt', () =>
    ana
      .getRoom(roomId)
      ?.getUsersReadUpTo(findEvent(ana, roomId, (e) => e.getId() === toRead))
      ?.includes(beaAccount.user_id),
  );

  const { event_id: doomed } = await ana.sendTextMessage(roomId, 'oops');
  await until('bea receives the message to redact', () => findEvent(bea, roomId, (e) => e.getId() === doomed));
  await ana.redactEvent(roomId, doomed);
  await until('bea sees the redaction', () => findEvent(bea, roomId, (e) => e.getId() === doomed)?.isRedacted());

  await ana.setRoomTopic(roomId, 'plans for friday');
  await until(
    'bea sees the new topic',
    () =>
      bea.getRoom(roomId)?.currentState.getStateEvents('m.room.topic', '')?.getContent().topic === 'plans for friday',
  );

  // Bea goes away; what happens meanwhile is there when she comes back.
  bea.stopClient();
  for (const word of ['while', 'you', 'were', 'away']) await ana.sendTextMessage(roomId, word);
  const back = await start(beaAccount);
  await until('bea, back, sees what she missed', () =>
    ['while', 'you', 'were', 'away'].every((word) => findEvent(back, roomId, bodyIs(word))),
  );
  const missed = timeline(back, roomId)
    .filter((e) => e.getType() === 'm.room.message')
    .map((e) => e.getContent().body);
  assert.deepEqual(missed.slice(-4), ['while', 'you', 'were', 'away']);

  await ana.kick(roomId, beaAccount.user_id, 'testing');
  await until('bea learns she was kicked', () => back.getRoom(roomId)?.getMyMembership() === 'leave');

  ana.stopClient();
  back.stopClient();
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
