// matrix-js-sdk's own pusher calls against Hearth (an ES module, so it runs in a plain Node
// process rather than under jest). Exits 0 when every step held. Usage:
// node js-sdk-pushers.mjs <homeserver URL> <gateway URL>
import assert from 'node:assert/strict';
import * as sdk from 'matrix-js-sdk';
import { logger } from 'matrix-js-sdk/lib/logger.js';

logger.setLevel('silent');
const [baseUrl, gatewayUrl] = process.argv.slice(2);

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

const account = await register('pusher-sdk');
const client = sdk.createClient({
  baseUrl,
  accessToken: account.access_token,
  userId: account.user_id,
  deviceId: account.device_id,
});

// The spec's example request, pointed at the test gateway.
const pusher = {
  lang: 'en',
  kind: 'http',
  app_display_name: 'Mat Rix',
  device_display_name: 'iPhone 9',
  profile_tag: 'xxyyzz',
  app_id: 'com.example.app.ios',
  pushkey:
    'APA91bHPRgkF3JUikC4ENAHEeMrd41Zxv3hVZjC9KtT8OvPVGJ-hQMRKRrZuJAEcl7B338qju59zJMjw2DELjzEvxwYv7hH5Ynpc1ODQ0aT4U4OFEeco8ohsN5PjL1iC2dNtk2BAokeMCg2ZXKqpc8FXKmhX94kIxQ',
  data: { url: gatewayUrl, format: 'event_id_only' },
  append: false,
};
assert.deepEqual(await client.setPusher(pusher), {});
const { pushers } = await client.getPushers();
const { append: _append, ...stored } = pusher;
// The SDK marks pushers from servers without MSC3881 as enabled itself; the rest is what we serve.
assert.equal(pushers.length, 1);
const { 'org.matrix.msc3881.enabled': enabled, ...served } = pushers[0];
assert.equal(enabled, true);
assert.deepEqual(served, stored);

// Element's "remove this session's pusher": kind null.
await client.setPusher({ ...pusher, kind: null });
assert.deepEqual((await client.getPushers()).pushers, []);

// A refused gateway surfaces as the SDK's MatrixError with the server's errcode.
await assert.rejects(
  client.setPusher({ ...pusher, data: { url: 'ftp://push.example/_matrix/push/v1/notify' } }),
  (error) => error.errcode === 'M_INVALID_PARAM' && error.httpStatus === 400,
);
client.stopClient();
console.log('js-sdk pushers: ok');
