import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { startTestHomeserver, type TestHomeserver } from '@hearth/testing';

/**
 * The real matrix-js-sdk against Hearth: two clients sync, create and join a room, and see
 * messages, edits, reactions, typing, receipts, redactions, state and member changes, and a
 * client that comes back sees what it missed. The SDK is an ES module, so the scenario runs in
 * its own Node process (test/clients/js-sdk-scenario.mjs) and asserts there.
 */
describe('matrix-js-sdk clients', () => {
  let hs: TestHomeserver;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'jssdk.example', registration: 'open' } });
  });
  afterAll(() => hs.destroy());

  it('runs the two-client scenario', async () => {
    const script = path.join(__dirname, 'js-sdk-scenario.mjs');
    const child = spawn(process.execPath, [script, hs.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`js-sdk scenario failed:\n${output}`);
  }, 120_000);
});
