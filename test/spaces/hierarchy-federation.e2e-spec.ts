import { spawn } from 'node:child_process';
import * as path from 'node:path';
import {
  federationRequest,
  sharedRoom,
  startFederatedPair,
  type FederatedPair,
  type LooseBody,
  type TestClient,
} from '@hearth/testing';
import { signUp } from '@hearth/testing';

const V3 = '/_matrix/client/v3';
const HIERARCHY = (roomId: string, query = '') =>
  `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/hierarchy${query ? `?${query}` : ''}`;

/**
 * A space on A whose children live on B: A is in none of them, so it asks B
 * (`GET /_matrix/federation/v1/hierarchy`) and filters B's answer for its own user. Two real
 * Hearth instances over TLS.
 */
describe('the space hierarchy across two servers', () => {
  let pair: FederatedPair;
  let carol: TestClient;
  let space: string;
  let bobSpace: string;
  let bobPublic: string;
  let bobPrivate: string;
  let bobRestricted: string;
  let unlinked: string;
  let shutOut: string;

  const ids = (body: LooseBody) => (body.rooms as { room_id: string }[]).map((room) => room.room_id);

  async function create(client: TestClient, body: Record<string, unknown>): Promise<string> {
    const res = await client.post(`${V3}/createRoom`, body);
    expect(res.status).toBe(200);
    return res.body.room_id as string;
  }

  async function addChild(client: TestClient, parent: string, child: string, via: string) {
    const res = await client.put(
      `${V3}/rooms/${encodeURIComponent(parent)}/state/m.space.child/${encodeURIComponent(child)}`,
      { via: [via] },
    );
    expect(res.status).toBe(200);
  }

  beforeAll(async () => {
    pair = await startFederatedPair();
    carol = await signUp(pair.a.url, 'carol');
    const a = pair.a.serverName;
    const b = pair.b.serverName;
    // Alice's space on A, which Bob joins (so B knows A's users are in it)
    space = await sharedRoom(pair, { preset: 'public_chat', name: 'Team', creation_content: { type: 'm.space' } });
    // Bob's rooms on B, none of which anyone on A is in
    bobSpace = await create(pair.bob, {
      preset: 'public_chat',
      name: 'Projects',
      creation_content: { type: 'm.space' },
    });
    bobPublic = await create(pair.bob, { preset: 'public_chat', name: 'Open project' });
    bobPrivate = await create(pair.bob, { preset: 'private_chat', name: 'Private project' });
    bobRestricted = await create(pair.bob, {
      preset: 'private_chat',
      name: 'Team only',
      room_version: '10',
      initial_state: [
        {
          type: 'm.room.join_rules',
          state_key: '',
          content: { join_rule: 'restricted', allow: [{ type: 'm.room_membership', room_id: space }] },
        },
      ],
    });
    unlinked = await create(pair.bob, { preset: 'private_chat', creation_content: { type: 'm.space' } });
    shutOut = await create(pair.bob, {
      preset: 'public_chat',
      creation_content: { type: 'm.space' },
      initial_state: [{ type: 'm.room.server_acl', state_key: '', content: { allow: ['*'], deny: [a.split(':')[0]] } }],
    });
    await addChild(pair.alice, space, bobSpace, b);
    await addChild(pair.bob, bobSpace, bobPublic, b);
    await addChild(pair.bob, bobSpace, bobPrivate, b);
    await addChild(pair.bob, bobSpace, bobRestricted, b);
    await addChild(pair.bob, bobSpace, space, a); // a loop back to A's space
  }, 60_000);

  afterAll(async () => {
    await Promise.all([pair?.a.destroy(), pair?.b.destroy()]);
  });

  it('fills in children on the other server, hiding what the user may not see there', async () => {
    const res = await pair.alice.get(HIERARCHY(space));
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual([space, bobSpace, bobPublic, bobRestricted]);
    const remoteSpace = res.body.rooms[1];
    expect(remoteSpace).toMatchObject({
      room_id: bobSpace,
      name: 'Projects',
      room_type: 'm.space',
      join_rule: 'public',
    });
    expect(remoteSpace.children_state.map((c: { state_key: string }) => c.state_key).sort()).toEqual(
      [bobPublic, bobPrivate, bobRestricted, space].sort(),
    );
    expect(res.body.rooms[3]).toMatchObject({ room_id: bobRestricted, allowed_room_ids: [space] });

    // carol on A is not in the space: the restricted room stays hidden from her
    expect(ids((await carol.get(HIERARCHY(space))).body)).toEqual([space, bobSpace, bobPublic]);
  });

  it('serves other servers: the space and the children they may see; 404 for the rest', async () => {
    const origin = pair.a.serverName;
    const ask = (roomId: string, query = '') =>
      federationRequest(
        pair.b.federationUrl,
        'GET',
        `/_matrix/federation/v1/hierarchy/${encodeURIComponent(roomId)}${query}`,
        undefined,
        { origin, key: pair.a.signingKey, destination: pair.b.serverName },
      );
    const answer = await ask(bobSpace);
    expect(answer.status).toBe(200);
    expect(answer.body.room).toMatchObject({ room_id: bobSpace, room_type: 'm.space' });
    expect(answer.body.room.children_state).toHaveLength(4);
    // A is joined to the space the restricted room admits, so B lists it; the private one is inaccessible
    expect(answer.body.children.map((c: { room_id: string }) => c.room_id).sort()).toEqual(
      [bobPublic, bobRestricted, space].sort(),
    );
    expect(answer.body.inaccessible_children).toEqual([bobPrivate]);

    const suggested = await ask(bobSpace, '?suggested_only=true');
    expect(suggested.body.room.children_state).toEqual([]);
    expect(suggested.body.children).toEqual([]);

    // a public space whose ACL shuts A out, one A may not see, one with no link, one that does not exist
    for (const roomId of [shutOut, bobPrivate, unlinked, `!unknown:${pair.b.serverName}`]) {
      const refused = await ask(roomId);
      expect([roomId, refused.status, refused.body.errcode]).toEqual([roomId, 404, 'M_NOT_FOUND']);
    }
    const unsigned = await federationRequest(
      pair.b.federationUrl,
      'GET',
      `/_matrix/federation/v1/hierarchy/${encodeURIComponent(bobSpace)}`,
      undefined,
      { origin, key: pair.a.signingKey, destination: pair.b.serverName, authorization: null },
    );
    expect(unsigned.status).toBe(401);
  });

  it("answers matrix-js-sdk's getRoomHierarchy, page by page", async () => {
    const script = path.join(__dirname, 'js-sdk-hierarchy.mjs');
    const expected = JSON.stringify([space, bobSpace, bobPublic, bobRestricted]);
    const args = [script, pair.a.url, pair.alice.accessToken as string, `@alice:${pair.a.serverName}`, space, expected];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`js-sdk hierarchy failed:\n${output}`);
    expect(output).toContain('matrix-js-sdk walked 4 rooms');
  }, 60_000);
});
