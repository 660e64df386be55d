// matrix-js-sdk's own getRoomHierarchy against a Hearth server (the SDK is an ES module, so this
// runs in a plain Node process). Pages through the space two rooms at a time, as Element's space
// home does, and checks the rooms it collects. Usage:
// node js-sdk-hierarchy.mjs <homeserver URL> <access token> <user ID> <space ID> <expected room IDs, JSON>
import assert from 'node:assert/strict';
import * as sdk from 'matrix-js-sdk';
import { logger } from 'matrix-js-sdk/lib/logger.js';

logger.setLevel('silent');
const [baseUrl, accessToken, userId, spaceId, expectedJson] = process.argv.slice(2);
const client = sdk.createClient({ baseUrl, accessToken, userId });

const collected = [];
let from;
do {
  const page = await client.getRoomHierarchy(spaceId, 2, undefined, false, from);
  assert.ok(page.rooms.length <= 2, `a page of ${page.rooms.length} rooms`);
  for (const room of page.rooms) {
    assert.equal(typeof room.num_joined_members, 'number');
    assert.ok(Array.isArray(room.children_state), 'children_state is an array');
    collected.push(room.room_id);
  }
  from = page.next_batch;
} while (from);
assert.deepEqual(collected, JSON.parse(expectedJson));

// An unknown room is refused as the spec says, and the SDK surfaces the Matrix error.
await assert.rejects(client.getRoomHierarchy('!nowhere:invalid.example'), (error) => {
  assert.equal(error.errcode, 'M_FORBIDDEN');
  return true;
});
console.log(`matrix-js-sdk walked ${collected.length} rooms`);
