import { ConfigError } from './config-error';
import { buildConfig } from './load-config';

describe('media.url_previews settings', () => {
  const problemsOf = (run: () => unknown): string[] => {
    try {
      run();
    } catch (error) {
      if (error instanceof ConfigError) return [...error.problems];
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('keeps previews off by default, with bounded limits', () => {
    expect(buildConfig({}).media.urlPreviews).toEqual({
      enabled: false,
      blockedIpRanges: [],
      allowedIpRanges: [],
      maxPageBytes: 10 * 1024 * 1024,
      timeoutMs: 10_000,
      maxRedirects: 5,
      cacheMs: 60 * 60 * 1000,
    });
  });

  it('takes CIDR ranges and bare addresses, and reports every range that is neither', () => {
    const config = buildConfig({
      media: { url_previews: { enabled: true, allowed_ip_ranges: ['10.0.0.0/8', '::1'], cache_minutes: 5 } },
    });
    expect(config.media.urlPreviews).toMatchObject({
      enabled: true,
      allowedIpRanges: ['10.0.0.0/8', '::1'],
      cacheMs: 300_000,
    });
    const problems = problemsOf(() =>
      buildConfig({
        media: { url_previews: { blocked_ip_ranges: ['10.0.0.0/33', 'intranet'], allowed_ip_ranges: ['1.2.3'] } },
      }),
    ).join('\n');
    expect(problems).toMatch(/10\.0\.0\.0\/33/);
    expect(problems).toMatch(/intranet/);
    expect(problems).toMatch(/1\.2\.3/);
  });
});
