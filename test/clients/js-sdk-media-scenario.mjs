// matrix-js-sdk's media flow against Hearth: uploadContent, then the URLs mxcUrlToHttp builds,
// authenticated (with the access token in the header, as the SDK's callers send it) and legacy.
// Exits 0 when every step held. Usage: node js-sdk-media-scenario.mjs <homeserver URL> <legacy: served|frozen>
import assert from 'node:assert/strict';
import { Blob, Buffer } from 'node:buffer';
import * as sdk from 'matrix-js-sdk';
import { logger } from 'matrix-js-sdk/lib/logger.js';

logger.setLevel('silent');
const [baseUrl, legacy] = process.argv.slice(2);

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

const account = await register('mediafan');
const client = sdk.createClient({ baseUrl, accessToken: account.access_token, userId: account.user_id });

// a 1×1 PNG
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const uploaded = await client.uploadContent(new Blob([png], { type: 'image/png' }), {
  name: 'dot.png',
  type: 'image/png',
});
assert.match(uploaded.content_uri, /^mxc:\/\/jssdk-media\.example\/[A-Za-z]+$/);

const authed = client.mxcUrlToHttp(uploaded.content_uri, undefined, undefined, undefined, false, true, true);
assert.ok(authed.includes('/_matrix/client/v1/media/download/'), authed);
const headers = { authorization: `Bearer ${account.access_token}` };
const download = await fetch(authed, { headers });
assert.equal(download.status, 200);
assert.equal(download.headers.get('content-type'), 'image/png');
assert.equal(download.headers.get('content-disposition'), 'inline; filename="dot.png"');
assert.ok(Buffer.from(await download.arrayBuffer()).equals(png));

const thumb = client.mxcUrlToHttp(uploaded.content_uri, 32, 32, 'crop', false, true, true);
assert.ok(thumb.includes('/_matrix/client/v1/media/thumbnail/'), thumb);
const thumbnail = await fetch(thumb, { headers });
assert.equal(thumbnail.status, 200);
assert.equal(thumbnail.headers.get('content-type'), 'image/png');

const config = await client.getMediaConfig(true);
assert.equal(config['m.upload.size'], 50 * 1024 * 1024);

// the URL older callers build: /_matrix/media/v3/download, without a token
const legacyUrl = client.mxcUrlToHttp(uploaded.content_uri);
assert.ok(legacyUrl.includes('/_matrix/media/v3/download/'), legacyUrl);
const legacyDownload = await fetch(legacyUrl);
if (legacy === 'served') {
  assert.equal(legacyDownload.status, 200);
  assert.ok(Buffer.from(await legacyDownload.arrayBuffer()).equals(png));
} else {
  assert.equal(legacyDownload.status, 404);
  assert.equal((await legacyDownload.json()).errcode, 'M_NOT_FOUND');
}
console.log('js-sdk media scenario passed');
