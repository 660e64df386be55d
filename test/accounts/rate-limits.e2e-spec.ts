import { startTestHomeserver, TestClient, type TestHomeserver } from '@hearth/testing';

describe.each([
  ['in memory', {}],
  ['in Redis', { redis_url: process.env.HEARTH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' }],
])('rate limits (%s)', (_name, backend) => {
  let hs: TestHomeserver;
  let client: TestClient;

  beforeAll(async () => {
    hs = await startTestHomeserver({
      config: {
        ...backend,
        server_name: `limits-${Date.now()}.example`,
        registration: 'open',
        rate_limits: {
          login: { requests: 3, per_seconds: 60 },
          registration: { requests: 100, per_seconds: 60 },
          registration_token_validity: { requests: 2, per_seconds: 60 },
        },
      },
    });
    client = new TestClient(hs.url);
    await client.registerOpen('ana', 'pw');
  });
  afterAll(() => hs.destroy());

  it('answers 429 M_LIMIT_EXCEEDED with retry_after_ms once the login budget is spent', async () => {
    const attempts = [];
    for (let i = 0; i < 4; i++) attempts.push(await client.loginPassword('ana', 'wrong'));
    expect(attempts.slice(0, 3).map((r) => r.status)).toEqual([403, 403, 403]);
    const limited = attempts[3]!;
    expect(limited.status).toBe(429);
    expect(limited.body.errcode).toBe('M_LIMIT_EXCEEDED');
    expect(limited.body.retry_after_ms).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The right password does not get around the limit either.
    expect((await client.loginPassword('ana', 'pw')).status).toBe(429);
  });

  it('limits token validity checks', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await client.get('/_matrix/client/v1/register/m.login.registration_token/validity?token=guess')).status,
      );
    expect(statuses).toEqual([200, 200, 429]);
  });
});
