import * as http from 'node:http';
import { AdminUsersService } from '@hearth/accounts';
import { signUp, startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

/**
 * Odd and hostile input found by probing every endpoint: each is answered with a Matrix error
 * and the right status, never a 500, and refused before it reaches the database.
 */
describe('hostile and odd input', () => {
  let hs: TestHomeserver;
  let ana: TestClient;
  let roomPath: string;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { registration: 'open' } });
    ana = await signUp(hs.url, 'ana');
    const roomId = (await ana.post('/_matrix/client/v3/createRoom', {})).body.room_id as string;
    roomPath = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;
  });
  afterAll(() => hs.destroy());

  /** A request with a body sent as written (JSON.stringify would refuse none of this, but would escape it differently). */
  async function raw(
    method: string,
    path: string,
    body?: string,
    token = ana.accessToken,
  ): Promise<{
    status: number;
    body: { errcode?: string; error?: string } & Record<string, unknown>;
    headers: Headers;
  }> {
    const res = await fetch(`${hs.url}${path}`, {
      method,
      ...(body !== undefined ? { body } : {}),
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
  }

  describe('U+0000 and lone surrogates', () => {
    it.each([
      [
        'a display name',
        'PUT',
        '/_matrix/client/v3/profile/@ana:hearth.test/displayname',
        '{"displayname":"a\\u0000b"}',
      ],
      [
        'a display name with a lone surrogate',
        'PUT',
        '/_matrix/client/v3/profile/@ana:hearth.test/displayname',
        '{"displayname":"a\\ud800b"}',
      ],
      [
        'the user of an unauthenticated login',
        'POST',
        '/_matrix/client/v3/login',
        '{"type":"m.login.password","identifier":{"type":"m.id.user","user":"ana\\u0000"},"password":"x"}',
      ],
      [
        'an account data key',
        'PUT',
        '/_matrix/client/v3/user/@ana:hearth.test/account_data/org.example',
        '{"k\\u0000":1}',
      ],
      ['a message', 'PUT', 'ROOM/send/m.room.message/t1', '{"msgtype":"m.text","body":"\\u0000"}'],
      [
        'a message with a lone low surrogate',
        'PUT',
        'ROOM/send/m.room.message/t2',
        '{"msgtype":"m.text","body":"\\udc00"}',
      ],
      [
        'a filter',
        'POST',
        '/_matrix/client/v3/user/@ana:hearth.test/filter',
        '{"room":{"rooms":["!a\\u0000:hearth.test"]}}',
      ],
    ])('refuses them in %s with 400 M_BAD_JSON', async (_name, method, path, body) => {
      const res = await raw(method, path.replace('ROOM', roomPath), body);
      expect(res.status).toBe(400);
      expect(res.body.errcode).toBe('M_BAD_JSON');
    });

    it('still accepts astral characters (surrogate pairs) and the text "\\u0000"', async () => {
      const res = await raw(
        'PUT',
        '/_matrix/client/v3/profile/@ana:hearth.test/displayname',
        '{"displayname":"ana \\ud83d\\ude00 \\\\u0000"}',
      );
      expect(res.status).toBe(200);
      expect((await ana.get('/_matrix/client/v3/profile/@ana:hearth.test/displayname')).body.displayname).toBe(
        'ana 😀 \\u0000',
      );
    });

    it.each([
      ['a user ID in the path', '/_matrix/client/v3/profile/@ana%00:hearth.test'],
      ['a transaction ID in the path', 'ROOM/send/m.room.message/txn%00'],
      ['a room ID in the path', '/_matrix/client/v3/rooms/!a%00:hearth.test/state'],
      ['a lone surrogate in the path', '/_matrix/client/v3/profile/@ana%ED%A0%80:hearth.test'],
      ['a query parameter', '/_matrix/client/v3/sync?timeout=0&since=s%00'],
      [
        'JSON in the filter parameter of /sync',
        `/_matrix/client/v3/sync?timeout=0&filter=${encodeURIComponent('{"room":{"rooms":["!a\\u0000:hearth.test"]}}')}`,
      ],
      [
        'JSON in the filter parameter of /messages',
        `ROOM/messages?dir=b&filter=${encodeURIComponent('{"senders":["@a\\u0000:hearth.test"]}')}`,
      ],
      [
        'JSON nested too deep in a filter parameter',
        `/_matrix/client/v3/sync?timeout=0&filter=${encodeURIComponent('{"room":' + '['.repeat(500) + ']'.repeat(500) + '}')}`,
      ],
    ])('refuses them in %s with 400 M_INVALID_PARAM', async (_name, path) => {
      const method = path.includes('/send/') ? 'PUT' : 'GET';
      const res = await raw(method, path.replace('ROOM', roomPath), method === 'PUT' ? '{}' : undefined);
      expect(res.status).toBe(400);
      expect(res.body.errcode).toBe('M_INVALID_PARAM');
    });
  });

  describe('nesting', () => {
    const deep = (levels: number) => '{"a":' + '['.repeat(levels) + ']'.repeat(levels) + '}';

    it('refuses a body nested 10,000 deep with 400 M_BAD_JSON, on every route', async () => {
      for (const [method, path] of [
        ['PUT', `${roomPath}/send/m.room.message/deep-1`],
        ['PUT', '/_matrix/client/v3/user/@ana:hearth.test/account_data/org.example.deep'],
        ['POST', '/_matrix/client/v3/login'],
      ] as const) {
        const res = await raw(method, path, deep(10_000));
        expect([res.status, res.body.errcode]).toEqual([400, 'M_BAD_JSON']);
      }
    });

    it('accepts 127 levels inside an event’s content (128 with the content itself) and refuses one more', async () => {
      expect((await raw('PUT', `${roomPath}/send/org.example.deep/deep-ok`, deep(127))).status).toBe(200);
      expect((await raw('PUT', `${roomPath}/send/org.example.deep/deep-no`, deep(128))).status).toBe(400);
    });
  });

  describe('long path parameters', () => {
    it('serves a user with a 239-character handle their own profile (a 252-character user ID), and lets admins manage them', async () => {
      const handle = 'h'.repeat(239);
      const long = await signUp(hs.url, handle);
      const userId = `@${handle}:hearth.test`;
      const res = await long.get(`/_matrix/client/v3/profile/${encodeURIComponent(userId)}`);
      expect(res.status).toBe(200);
      expect(
        (
          await long.put(`/_matrix/client/v3/profile/${encodeURIComponent(userId)}/displayname`, {
            displayname: 'Long',
          })
        ).status,
      ).toBe(200);
      await hs.server.app.get(AdminUsersService).upsert('@boss:hearth.test', { password: 'boss-pw', admin: true });
      const boss = new TestClient(
        hs.url,
        (await new TestClient(hs.url).loginPassword('boss', 'boss-pw')).body.access_token as string,
      );
      const managed = await boss.get(`/_synapse/admin/v2/users/${encodeURIComponent(userId)}`);
      expect([managed.status, managed.body.name, managed.body.displayname]).toEqual([200, userId, 'Long']);
      // Percent-encoded non-ASCII counts in bytes, not in encoded characters: 127 × 'é' is 254 bytes.
      const accented = await raw(
        'GET',
        `/_matrix/client/v3/user/@ana:hearth.test/account_data/${encodeURIComponent('é'.repeat(127))}`,
      );
      expect(accented.status).toBe(404);
      expect(accented.body.errcode).toBe('M_NOT_FOUND');
    });

    it('still answers an unknown endpoint with a long path 404 M_UNRECOGNIZED', async () => {
      const res = await raw('GET', `/_matrix/client/v3/no/such/${'x'.repeat(300)}`);
      expect([res.status, res.body.errcode]).toEqual([404, 'M_UNRECOGNIZED']);
    });

    it.each([
      ['256 bytes', `@${'a'.repeat(243)}:hearth.test`],
      ['128 two-byte characters (256 bytes)', 'é'.repeat(128)],
      ['5,000 characters', 'x'.repeat(5000)],
    ])('answers a parameter of %s with 400 M_INVALID_PARAM, not Fastify’s own 414', async (_name, param) => {
      const res = await raw('GET', `/_matrix/client/v3/profile/${encodeURIComponent(param)}`);
      expect(res.status).toBe(400);
      expect(res.body.errcode).toBe('M_INVALID_PARAM');
    });
  });

  describe('body limits', () => {
    const padded = (bytes: number) => JSON.stringify({ msgtype: 'm.text', body: 'x'.repeat(bytes) });

    it.each([
      ['an event over 64 KiB', 'PUT', 'ROOM/send/m.room.message/big-1', 70_000],
      ['state over 64 KiB', 'PUT', 'ROOM/state/org.example.big/', 70_000],
      [
        'account data over 1 MiB',
        'PUT',
        '/_matrix/client/v3/user/@ana:hearth.test/account_data/org.example.big',
        1_100_000,
      ],
      [
        'room account data over 1 MiB',
        'PUT',
        '/_matrix/client/v3/user/@ana:hearth.test/rooms/ROOMID/account_data/org.example.big',
        1_100_000,
      ],
      ['a key upload over 1 MiB', 'POST', '/_matrix/client/v3/keys/upload', 1_100_000],
      ['any other body over the 1 MiB default', 'POST', '/_matrix/client/v3/createRoom', 1_100_000],
    ])('answers %s with 413 M_TOO_LARGE', async (_name, method, path, bytes) => {
      const roomId = decodeURIComponent(roomPath.split('/').pop() as string);
      const res = await raw(
        method,
        path.replace('ROOMID', encodeURIComponent(roomId)).replace('ROOM', roomPath),
        padded(bytes),
      );
      expect(res.status).toBe(413);
      expect(res.body.errcode).toBe('M_TOO_LARGE');
    });

    it('still takes bodies the route can use: a 60 KB message, 500 KB of account data', async () => {
      expect((await raw('PUT', `${roomPath}/send/m.room.message/fits`, padded(60_000))).status).toBe(200);
      expect(
        (await raw('PUT', '/_matrix/client/v3/user/@ana:hearth.test/account_data/org.example.fits', padded(500_000)))
          .status,
      ).toBe(200);
    });

    it('refuses a body that Content-Length says is too large before reading any of it', async () => {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(`${hs.url}${roomPath}/send/m.room.message/announced`);
        const request = http.request(
          url,
          {
            method: 'PUT',
            headers: { authorization: `Bearer ${ana.accessToken}`, 'content-length': String(45 * 1024 * 1024) },
          },
          (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          },
        );
        request.on('error', reject);
        // Only the headers go out: the answer must come without the 45 MB.
        request.flushHeaders();
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).errcode).toBe('M_TOO_LARGE');
    });
  });
});
