import type { PushConfig } from '@hearth/config';
import { isPublicAddress } from '@hearth/http';
import { gatewayUrlProblem } from './gateway-address';

const strict: PushConfig = {
  allowHttpGateways: false,
  allowPrivateGateways: false,
  maxRetryIntervalMs: 600_000,
  maxPendingMs: 86_400_000,
};

describe('push gateway URLs', () => {
  it("accepts the spec's example", () => {
    expect(gatewayUrlProblem('https://push-gateway.location.here/_matrix/push/v1/notify', strict)).toBeUndefined();
  });

  it.each([
    ['http://push.example.com/_matrix/push/v1/notify', 'https'],
    ['https://push.example.com/notify', 'path'],
    ['not a url', 'not a URL'],
    ['https://user:pw@push.example.com/_matrix/push/v1/notify', 'credentials'],
    ['https://127.0.0.1/_matrix/push/v1/notify', 'private'],
    ['https://localhost:8443/_matrix/push/v1/notify', 'private'],
    ['https://10.1.2.3/_matrix/push/v1/notify', 'private'],
    ['https://172.16.0.1/_matrix/push/v1/notify', 'private'],
    ['https://192.168.1.1/_matrix/push/v1/notify', 'private'],
    ['https://169.254.169.254/_matrix/push/v1/notify', 'private'],
    ['https://100.64.0.1/_matrix/push/v1/notify', 'private'],
    ['https://[::1]/_matrix/push/v1/notify', 'private'],
    ['https://[fe80::1]/_matrix/push/v1/notify', 'private'],
    ['https://[fd00::1]/_matrix/push/v1/notify', 'private'],
    ['https://[::ffff:127.0.0.1]/_matrix/push/v1/notify', 'private'],
    ['https://0.0.0.0/_matrix/push/v1/notify', 'private'],
  ])('refuses %s', (url, problem) => {
    expect(gatewayUrlProblem(url, strict)).toContain(problem);
  });

  it('lets an operator allow plain http and private addresses', () => {
    const open = { ...strict, allowHttpGateways: true, allowPrivateGateways: true };
    expect(gatewayUrlProblem('http://127.0.0.1:9000/_matrix/push/v1/notify', open)).toBeUndefined();
    expect(gatewayUrlProblem('http://127.0.0.1:9000/other', open)).toContain('path');
  });

  it('tells public addresses from the rest', () => {
    expect(isPublicAddress('93.184.216.34')).toBe(true);
    expect(isPublicAddress('2606:2800:220:1:248:1893:25c8:1946')).toBe(true);
    expect(isPublicAddress('127.0.0.1')).toBe(false);
    expect(isPublicAddress('::ffff:10.0.0.1')).toBe(false);
    expect(isPublicAddress('not-an-address')).toBe(false);
  });
});
