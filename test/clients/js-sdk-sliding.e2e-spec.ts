import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { startTestHomeserver, type TestHomeserver } from '@hearth/testing';

/**
 * matrix-js-sdk's own SlidingSync class (as Element Web uses it) against Hearth's simplified
 * sliding sync: lists, a subscription, long-polling and the SDK's extensions. The SDK is an ES
 * module, so the scenario runs in its own Node process (js-sdk-sliding-scenario.mjs).
 */
describe('matrix-js-sdk SlidingSync', () => {
  let hs: TestHomeserver;

  beforeAll(async () => {
    hs = await startTestHomeserver({ config: { server_name: 'jsslide.example', registration: 'open' } });
  });
  afterAll(() => hs.destroy());

  it('runs the sliding sync scenario', async () => {
    const script = path.join(__dirname, 'js-sdk-sliding-scenario.mjs');
    const child = spawn(process.execPath, [script, hs.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`sliding sync scenario failed:\n${output}`);
    expect(output).toContain('sliding sync scenario passed');
  }, 120_000);
});
