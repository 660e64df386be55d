import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { startTestHomeserver, TestPushGateway, type TestHomeserver } from '@hearth/testing';

/** matrix-js-sdk's setPusher and getPushers against Hearth, in their own Node process (the SDK is an ES module). */
describe('pushers through matrix-js-sdk', () => {
  let hs: TestHomeserver;
  let gateway: TestPushGateway;

  beforeAll(async () => {
    gateway = await TestPushGateway.start();
    hs = await startTestHomeserver({
      config: {
        server_name: 'push-sdk.example',
        registration: 'open',
        push: { allow_http_gateways: true, allow_private_gateways: true },
      },
    });
  });
  afterAll(async () => {
    await hs.destroy();
    await gateway.stop();
  });

  it('sets, lists and removes a pusher', async () => {
    const script = path.join(__dirname, 'js-sdk-pushers.mjs');
    const child = spawn(process.execPath, [script, hs.url, gateway.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`js-sdk pusher scenario failed:\n${output}`);
    expect(output).toContain('js-sdk pushers: ok');
  }, 60_000);
});
