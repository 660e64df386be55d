import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One notification as a push gateway received it (spec Push Gateway API `POST /_matrix/push/v1/notify`). */
export interface ReceivedNotification {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly notification: Record<string, any>;
  readonly receivedAt: number;
}

/**
 * A small push gateway for tests, shaped as the spec's: `POST /_matrix/push/v1/notify` answers
 * `{"rejected": [...]}` naming the push keys it was told to reject; it can be made to fail (503) or
 * stopped and started again on the same port, to play an outage.
 */
export class TestPushGateway {
  readonly received: ReceivedNotification[] = [];
  /** Push keys answered as rejected. */
  readonly rejecting = new Set<string>();
  /** While set, every request is answered with this status instead. */
  failWith: number | undefined;
  private server: http.Server | undefined;
  private port = 0;
  private readonly waiters: Array<() => void> = [];

  static async start(): Promise<TestPushGateway> {
    const gateway = new TestPushGateway();
    await gateway.listen();
    return gateway;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/_matrix/push/v1/notify`;
  }

  /** Stops answering: connections are refused until `listen` again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async listen(): Promise<void> {
    const server = http.createServer((request, response) => this.answer(request, response));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Resolves once at least `count` notifications arrived, or fails after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 15_000): Promise<ReceivedNotification[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`push gateway: ${this.received.length} of ${count} notifications arrived`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received.slice(0, count);
  }

  private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/_matrix/push/v1/notify') {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"errcode":"M_UNRECOGNIZED"}');
        return;
      }
      if (this.failWith !== undefined) {
        response.writeHead(this.failWith, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedNotification;
      const devices = (body.notification?.devices ?? []) as Array<{ pushkey: string }>;
      this.received.push({ notification: body.notification, receivedAt: Date.now() });
      for (const wake of this.waiters.splice(0)) wake();
      const rejected = devices.map((device) => device.pushkey).filter((key) => this.rejecting.has(key));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ rejected }));
    });
  }
}
