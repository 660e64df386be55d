import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HearthConfig } from '@hearth/config';
import { GatewayClient, GatewayUnavailable } from './gateway-client';

/** The client against a real gateway on loopback: what it makes of answers, and the connect-time address check. */
describe('GatewayClient', () => {
  let server: http.Server;
  let port: number;
  let answer: { status: number; body: string } = { status: 200, body: '{"rejected":[]}' };
  const clientWith = (allowPrivateGateways: boolean) =>
    new GatewayClient({ push: { allowPrivateGateways } } as unknown as HearthConfig);

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(answer.status).end(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('reads the rejected push keys of a 200', async () => {
    answer = { status: 200, body: '{"rejected":["V2h5IG9uIGVhcnRoIGRpZCB5b3UgZGVjb2RlIHRoaXM/"]}' };
    const client = clientWith(true);
    await expect(client.notify(`http://127.0.0.1:${port}/_matrix/push/v1/notify`, {})).resolves.toEqual({
      kind: 'accepted',
      rejected: ['V2h5IG9uIGVhcnRoIGRpZCB5b3UgZGVjb2RlIHRoaXM/'],
    });
    await client.onModuleDestroy();
  });

  it('retries 5xx and 429, gives up on other 4xx', async () => {
    const client = clientWith(true);
    answer = { status: 503, body: '' };
    await expect(client.notify(`http://127.0.0.1:${port}/_matrix/push/v1/notify`, {})).rejects.toBeInstanceOf(
      GatewayUnavailable,
    );
    answer = { status: 429, body: '' };
    await expect(client.notify(`http://127.0.0.1:${port}/_matrix/push/v1/notify`, {})).rejects.toBeInstanceOf(
      GatewayUnavailable,
    );
    answer = { status: 400, body: '{}' };
    await expect(client.notify(`http://127.0.0.1:${port}/_matrix/push/v1/notify`, {})).resolves.toEqual({
      kind: 'refused',
      status: 400,
    });
    await client.onModuleDestroy();
  });

  it('does not connect to a host name that resolves to a private address unless allowed', async () => {
    answer = { status: 200, body: '{"rejected":[]}' };
    const strict = clientWith(false);
    await expect(strict.notify(`http://localhost:${port}/_matrix/push/v1/notify`, {})).rejects.toThrow(
      /non-public addresses/,
    );
    await strict.onModuleDestroy();
  });
});
