import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { AccessTokenCache } from '@hearth/accounts';
import {
  createTestDatabase,
  eventually,
  signUp,
  sqlOn,
  startTestHomeserver,
  TestClient,
  usingEmbeddedFallback,
  type TestDatabase,
  type TestHomeserver,
} from '@hearth/testing';

const WHOAMI = '/_matrix/client/v3/account/whoami';

/**
 * Two homeserver processes on one database keep the access tokens they have seen in memory.
 * Whatever ends a token (a logout on either process, a device deleted, an operator's SQL), the
 * process that made the change refuses the token at once and the other as soon as PostgreSQL's
 * notification reaches it.
 */
(usingEmbeddedFallback() ? describe.skip : describe)(
  'accounts: access tokens cached in memory across processes',
  () => {
    let database: TestDatabase;
    let dataDir: string;
    let a: TestHomeserver;
    let b: TestHomeserver;

    beforeAll(async () => {
      database = await createTestDatabase();
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-token-cache-'));
      const config = { registration: 'open' };
      a = await startTestHomeserver({ database, dataDir, config });
      b = await startTestHomeserver({ database, dataDir, config });
      for (const server of [a, b]) {
        const cache = server.server.app.get(AccessTokenCache);
        await eventually(() => Promise.resolve(cache.isListening ? true : undefined), 'the token cache to listen');
      }
    });
    afterAll(async () => {
      await b.stop();
      await a.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    /** The same account's token, used against either process. */
    async function signedInOnBoth(username: string): Promise<{ onA: TestClient; onB: TestClient }> {
      const onA = await signUp(a.url, username);
      const onB = new TestClient(b.url, onA.accessToken);
      for (const client of [onA, onB]) expect((await client.get(WHOAMI)).body.user_id).toBe(`@${username}:hearth.test`);
      return { onA, onB };
    }

    const refusedOn = async (client: TestClient) => {
      const res = await client.get(WHOAMI);
      return res.status === 401 && res.body.errcode === 'M_UNKNOWN_TOKEN' ? true : undefined;
    };

    it('refuses a logged-out token at once on the process that logged it out, and soon on the other', async () => {
      const { onA, onB } = await signedInOnBoth('logout');
      expect((await onA.post('/_matrix/client/v3/logout')).status).toBe(200);
      expect(await refusedOn(onA)).toBe(true);
      await eventually(() => refusedOn(onB), 'the other process to refuse the token', 3_000);
    });

    it('refuses the tokens of a device deleted on the other process', async () => {
      const { onA, onB } = await signedInOnBoth('device');
      const deviceId = (await onA.get(WHOAMI)).body.device_id as string;
      const started = await onB.delete(`/_matrix/client/v3/devices/${deviceId}`, {});
      const done = await onB.delete(`/_matrix/client/v3/devices/${deviceId}`, {
        auth: {
          type: 'm.login.password',
          identifier: { type: 'm.id.user', user: 'device' },
          password: 'pw',
          session: started.body.session,
        },
      });
      expect(done.status).toBe(200);
      expect(await refusedOn(onB)).toBe(true);
      await eventually(() => refusedOn(onA), 'the other process to refuse the token', 3_000);
    });

    it('hears what an operator does in SQL: tokens deleted, accounts deactivated', async () => {
      const first = await signedInOnBoth('operator-delete');
      const second = await signedInOnBoth('operator-deactivate');
      await sqlOn(a, "DELETE FROM access_tokens WHERE user_id = '@operator-delete:hearth.test'");
      await sqlOn(a, "UPDATE users SET deactivated_ts = 1 WHERE user_id = '@operator-deactivate:hearth.test'");
      for (const client of [first.onA, first.onB, second.onA, second.onB])
        await eventually(() => refusedOn(client), 'the token to be refused', 3_000);
    });

    it('keeps serving tokens nothing happened to', async () => {
      const { onA, onB } = await signedInOnBoth('untouched');
      await signedInOnBoth('someone-else').then(({ onA: other }) => other.post('/_matrix/client/v3/logout'));
      for (let i = 0; i < 3; i++) for (const client of [onA, onB]) expect((await client.get(WHOAMI)).status).toBe(200);
    });
  },
);

/**
 * The embedded database (the README's default) has one process and one pooled connection, on
 * which its notifications arrive: tokens are kept in memory there too, so that a request costs
 * no statement on the connection every other request waits for, and whatever ends a token in
 * the database (here an operator's statement, which no service forgets by hand) is heard by the
 * time that statement's commit returns.
 */
describe('accounts: access tokens cached in memory on the embedded database', () => {
  let hs: TestHomeserver;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-token-cache-embedded-'));
    hs = await startTestHomeserver({
      database: { url: undefined, drop: () => Promise.resolve() },
      dataDir,
      config: { registration: 'open' },
    });
  });
  afterAll(async () => {
    await hs.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps tokens once the pool connection listens, and refuses one ended in SQL at once', async () => {
    const cache = hs.server.app.get(AccessTokenCache);
    await eventually(() => Promise.resolve(cache.isListening ? true : undefined), 'the token cache to listen');
    const deleted = await signUp(hs.url, 'deleted');
    const deactivated = await signUp(hs.url, 'deactivated');
    const kept = await signUp(hs.url, 'kept');
    const sql = hs.server.app.get(DataSource);
    for (const client of [deleted, deactivated, kept]) expect((await client.get(WHOAMI)).status).toBe(200);
    // Asked again, the cache answers without reading the database.
    let reads = 0;
    const lookup = cache.lookup.bind(cache);
    const spy = jest
      .spyOn(cache, 'lookup')
      .mockImplementation((hash, read, now) => lookup(hash, () => (reads++, read()), now));
    for (const client of [deleted, deactivated, kept]) expect((await client.get(WHOAMI)).status).toBe(200);
    expect(spy).toHaveBeenCalledTimes(3);
    expect(reads).toBe(0);
    spy.mockRestore();

    await sql.query("DELETE FROM access_tokens WHERE user_id = '@deleted:hearth.test'");
    await sql.query("UPDATE users SET deactivated_ts = 1 WHERE user_id = '@deactivated:hearth.test'");
    for (const client of [deleted, deactivated]) {
      const res = await client.get(WHOAMI);
      expect([res.status, res.body.errcode]).toEqual([401, 'M_UNKNOWN_TOKEN']);
    }
    expect((await kept.get(WHOAMI)).status).toBe(200);
  });
});
