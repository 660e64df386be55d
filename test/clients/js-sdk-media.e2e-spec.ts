import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { startTestHomeserver, type TestHomeserver } from '@hearth/testing';

/**
 * matrix-js-sdk's uploadContent and mxcUrlToHttp (authenticated and legacy URLs) against Hearth,
 * with the legacy unauthenticated endpoints frozen (the default) and served. The SDK is an ES
 * module, so the scenario runs in its own Node process (js-sdk-media-scenario.mjs).
 */
describe.each([
  ['frozen', false],
  ['served', true],
])('matrix-js-sdk media, legacy endpoints %s', (legacy, serveLegacy) => {
  let hs: TestHomeserver;

  beforeAll(async () => {
    hs = await startTestHomeserver({
      config: {
        server_name: 'jssdk-media.example',
        registration: 'open',
        ...(serveLegacy ? { media: { legacy_unauthenticated_media: true } } : {}),
      },
    });
  });
  afterAll(() => hs.destroy());

  it('uploads with uploadContent and downloads through mxcUrlToHttp', async () => {
    const script = path.join(__dirname, 'js-sdk-media-scenario.mjs');
    const child = spawn(process.execPath, [script, hs.url, legacy], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`js-sdk media scenario failed:\n${output}`);
    expect(output).toContain('js-sdk media scenario passed');
  }, 60_000);
});
