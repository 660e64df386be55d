import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from './config-error';
import { buildConfig, loadConfig } from './load-config';

describe('media.store s3 settings', () => {
  const problemsOf = (run: () => unknown): string[] => {
    try {
      run();
    } catch (error) {
      if (error instanceof ConfigError) return [...error.problems];
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('keeps the filesystem store, with no S3 settings, by default', () => {
    const config = buildConfig({});
    expect(config.media.store).toBe('filesystem');
    expect(config.media.s3).toBeUndefined();
  });

  it('reads the S3 settings from the environment, with the prefix ending in a slash', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-config-'));
    try {
      fs.writeFileSync(path.join(dir, 'hearth.yaml'), 'media:\n  s3_prefix: /hearth\n');
      const config = loadConfig({
        cwd: dir,
        env: {
          HEARTH_MEDIA_STORE: 's3',
          HEARTH_MEDIA_S3_ENDPOINT: 'http://127.0.0.1:9000',
          HEARTH_MEDIA_S3_BUCKET: 'media',
          HEARTH_MEDIA_S3_ACCESS_KEY_ID: 'id',
          HEARTH_MEDIA_S3_SECRET_ACCESS_KEY: 'secret',
          HEARTH_MEDIA_S3_FORCE_PATH_STYLE: 'true',
        },
      });
      expect(config.media.s3).toEqual({
        endpoint: 'http://127.0.0.1:9000',
        bucket: 'media',
        region: 'us-east-1',
        credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
        forcePathStyle: true,
        prefix: 'hearth/',
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('needs a bucket, credentials in pairs, and an http(s) endpoint', () => {
    expect(problemsOf(() => buildConfig({ media: { store: 's3' } })).join('\n')).toMatch(/s3_bucket/);
    expect(
      problemsOf(() => buildConfig({ media: { store: 's3', s3_bucket: 'media', s3_access_key_id: 'id' } })).join('\n'),
    ).toMatch(/go together/);
    expect(
      problemsOf(() => buildConfig({ media: { store: 's3', s3_bucket: 'media', s3_endpoint: 'ftp://x' } })).join('\n'),
    ).toMatch(/s3_endpoint/);
  });
});
