import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HearthBuild, signUp, startTestHomeserver, type TestHomeserver } from '@hearth/testing';
import { jsonLines, readArchive } from '../sovereignty/archive-reader';

const V3 = '/_matrix/client/v3';

/**
 * `hearth admin availability ...` and `hearth admin export-user` against a running server's
 * database: directly on PostgreSQL, through the server's control socket on the embedded one.
 */
describe('hearth admin availability and export-user', () => {
  let hearth: HearthBuild;
  let hs: TestHomeserver;
  let outDir: string;
  let env: Record<string, string>;
  const runCli = (args: string[]) => hearth.runAsync(args, env);

  beforeAll(async () => {
    hearth = new HearthBuild();
    hs = await startTestHomeserver({ config: { server_name: 'work.example', registration: 'open' } });
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-export-out-'));
    env = {
      HEARTH_SERVER_NAME: 'work.example',
      HEARTH_DATA_DIR: hs.config.dataDir,
      ...(hs.config.databaseUrl ? { DATABASE_URL: hs.config.databaseUrl } : {}),
    };
  });
  afterAll(async () => {
    await hs.destroy();
    hearth.remove();
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  it('sets and shows the organisation default, refusing bad input with a clear line', async () => {
    const set = await runCli([
      'admin',
      'availability',
      'set-default',
      '--tz',
      'Europe/Berlin',
      '--days',
      'mon-fri',
      '--hours',
      '09:00-17:30',
      '--holiday',
      '2026-12-24..2026-12-26',
      '--holiday',
      '2026-12-31',
      '--users-may',
      'time-zone,extend-hours',
    ]);
    expect(set.stderr).toBe('');
    expect(set.status).toBe(0);
    const shown = await runCli(['admin', 'availability', 'show-default']);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      schedule: {
        time_zone: 'Europe/Berlin',
        working_days: [1, 2, 3, 4, 5],
        hours: { start: '09:00', end: '17:30' },
        holidays: [
          { start: '2026-12-24', end: '2026-12-26' },
          { start: '2026-12-31', end: '2026-12-31' },
        ],
      },
      users_may: { override: false, change_time_zone: true, extend_hours: true, add_holidays: false },
    });

    const badDays = await runCli([
      'admin',
      'availability',
      'set-default',
      '--tz',
      'UTC',
      '--days',
      'mon-xyz',
      '--hours',
      '09:00-17:00',
    ]);
    expect(badDays.status).not.toBe(0);
    expect(badDays.stderr).toMatch(/--days expects days such as mon-fri/);
    const badZone = await runCli([
      'admin',
      'availability',
      'set-default',
      '--tz',
      'Mars/Base',
      '--days',
      'mon',
      '--hours',
      '17:00-09:00',
    ]);
    expect(badZone.status).not.toBe(0);
    expect(badZone.stderr).toMatch(/unknown time zone "Mars\/Base".*hours.start must be before hours.end/);
    // The refused default left the previous one in place.
    expect(JSON.parse((await runCli(['admin', 'availability', 'show-default'])).stdout).schedule.time_zone).toBe(
      'Europe/Berlin',
    );
  }, 120_000);

  it('exports a user to the archive format, reporting progress in plain lines off a terminal', async () => {
    const ana = await signUp(hs.url, 'ana');
    const roomId = (await ana.post(`${V3}/createRoom`, { name: 'Plans' })).body.room_id as string;
    await ana.put(`${V3}/rooms/${roomId}/send/m.room.message/1`, { msgtype: 'm.text', body: 'the plan for Monday' });
    const out = path.join(outDir, 'ana.zip');
    const result = await runCli(['admin', 'export-user', '@ana:work.example', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('exporting: 1/1 rooms');
    expect(result.stdout).toMatch(/wrote .*ana\.zip \(\d+ bytes, tar\.gz, 1 rooms\)/);
    const files = await readArchive(fs.readFileSync(out));
    expect(JSON.parse(files.get('manifest.json') ?? '{}')).toMatchObject({
      format: 'org.hearth.export',
      user_id: '@ana:work.example',
      rooms: [{ room_id: roomId }],
    });
    const roomFile = [...files.keys()].find((name) => name.startsWith('rooms/'));
    expect(
      jsonLines(files.get(roomFile ?? '')).some((event) => JSON.stringify(event).includes('the plan for Monday')),
    ).toBe(true);
    // Not a self-service export: the user sees none.
    expect((await ana.get('/_hearth/client/v1/export')).status).toBe(404);

    const missing = await runCli(['admin', 'export-user', '@nobody:work.example', '--out', out]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/no such user on this server: @nobody:work.example/);
  }, 120_000);
});
