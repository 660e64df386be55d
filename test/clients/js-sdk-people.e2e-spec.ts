import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { startTestHomeserver, type TestHomeserver } from '@hearth/testing';

/**
 * matrix-js-sdk's own searchRoomEvents (with backPaginateRoomEventsSearch), searchUserDirectory
 * and room tags against Hearth, in their own Node process as the SDK is an ES module
 * (test/clients/js-sdk-people-scenario.mjs asserts there).
 */
describe('matrix-js-sdk: search, user directory, tags', () => {
  let hs: TestHomeserver;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'jspeople.example', registration: 'open' } });
  });
  afterAll(() => hs.destroy());

  it('runs the scenario', async () => {
    const script = path.join(__dirname, 'js-sdk-people-scenario.mjs');
    const child = spawn(process.execPath, [script, hs.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`js-sdk scenario failed:\n${output}`);
  }, 120_000);
});
