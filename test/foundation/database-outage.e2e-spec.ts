import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { buildConfig } from '@hearth/config';
import { startHomeserver, type RunningHomeserver } from '@hearth/homeserver';
import { createTestDatabase, eventually, freePort, TestClient, type TestDatabase } from '@hearth/testing';
import { NetsplitProxy } from '../support/netsplit-proxy';

interface LogLine {
  readonly level: number;
  readonly msg: string;
}

/**
 * PostgreSQL behind a relay the test can cut: while the database is unreachable, requests are
 * answered as a saturated pool is (503 with Retry-After), and the log says so once per outage.
 */
describe('an unreachable database', () => {
  let database: TestDatabase;
  let proxy: NetsplitProxy;
  let hs: RunningHomeserver;
  let ana: TestClient;
  const logged: LogLine[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-test-'));

  beforeAll(async () => {
    database = await createTestDatabase();
    if (database.url === undefined) return; // the embedded fallback has no PostgreSQL to cut
    const url = new URL(database.url);
    const relayPort = await freePort();
    proxy = await NetsplitProxy.start(relayPort, Number(url.port || 5432));
    url.port = String(relayPort);
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logged.push(JSON.parse(line) as LogLine) });
    hs = await startHomeserver(
      buildConfig({
        server_name: 'hearth.test',
        listen: '127.0.0.1:0',
        data_dir: dataDir,
        database_url: url.toString(),
        registration: 'open',
      }),
      { logger },
    );
    ana = new TestClient(hs.url);
    ana.accessToken = (await ana.registerOpen('ana', 'pw')).body.access_token as string;
  });
  afterAll(async () => {
    await hs?.close();
    await proxy?.close();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const profile = () => ana.get('/_matrix/client/v3/profile/@ana:hearth.test');
  const warnings = () => logged.filter((line) => line.level >= 40);

  it.each([
    [
      'connections are cut (the server gone mid-query: "Connection terminated unexpectedly")',
      () => Promise.resolve(proxy.split()),
    ],
    ['connections are refused (a stopped server: ECONNREFUSED)', () => proxy.refuse()],
  ])(
    'answers 503 with Retry-After while %s, logs one warning, and an info line once it is back',
    async (_name, cut) => {
      if (database.url === undefined) return;
      expect((await profile()).status).toBe(200);
      logged.length = 0;
      await cut();
      const answers = [];
      for (let i = 0; i < 8; i++) answers.push(await profile());
      answers.push(await ana.post('/_matrix/client/v3/createRoom', {}));
      for (const answer of answers) {
        expect([answer.status, answer.body.errcode, answer.headers.get('retry-after')]).toEqual([
          503,
          'M_UNKNOWN',
          '5',
        ]);
      }
      // One warning for the requests' outage, one from the LISTEN connection (which retries on its own), no errors.
      const expected = [
        expect.objectContaining({ level: 40, msg: expect.stringMatching(/^The database is unreachable/) }),
        expect.objectContaining({ level: 40, msg: expect.stringMatching(/^Not listening/) }),
      ];
      await eventually(
        () => Promise.resolve(warnings().length >= 2 ? true : undefined),
        'the LISTEN connection to notice',
      );
      expect(warnings()).toEqual(expect.arrayContaining(expected));
      expect(warnings()).toHaveLength(2);

      proxy.heal();
      await eventually(async () => ((await profile()).status === 200 ? true : undefined), 'requests to succeed again');
      await eventually(
        () =>
          Promise.resolve(
            logged.find((line) => line.level === 30 && line.msg.startsWith('The database is reachable again')),
          ),
        'the recovery line',
      );
      await eventually(
        () => Promise.resolve(logged.find((line) => line.level === 30 && line.msg === 'Listening again')),
        'the LISTEN connection to recover',
        20_000,
      );
      expect(warnings()).toHaveLength(2);
    },
  );
});
