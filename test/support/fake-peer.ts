import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCertificate } from './federation';

export interface ReceivedTransaction {
  readonly txnId: string;
  readonly pdus: Array<Record<string, unknown>>;
  readonly edus: Array<Record<string, unknown>>;
}

/**
 * A stand-in homeserver on loopback TLS that records the transactions sent to it. It can answer
 * 500s, or answer slowly, to play a failing or overloaded peer. It checks no signatures: it
 * tests what Hearth sends, not who it is.
 */
export class FakePeer {
  readonly received: ReceivedTransaction[] = [];
  /** Every `PUT /send` that came in, answered or refused, in arrival order. */
  readonly attempts: ReceivedTransaction[] = [];
  mode: { kind: 'ok' } | { kind: 'fail' } | { kind: 'slow'; delayMs: number } = { kind: 'ok' };
  private readonly canned: Array<{ method: string; path: string; status: number; body: unknown }> = [];

  private constructor(
    private readonly server: https.Server,
    readonly serverName: string,
  ) {}

  static async start(certificate: TestCertificate): Promise<FakePeer> {
    const server = https.createServer({
      cert: fs.readFileSync(certificate.certFile),
      key: fs.readFileSync(certificate.keyFile),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const peer = new FakePeer(server, `127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (request, response) => void peer.handle(request, response));
    return peer;
  }

  /** Each PDU's `content.seq`, in arrival order, once per transaction ID (retries of one transaction count once). */
  sequence(): number[] {
    const seen = new Set<string>();
    const result: number[] = [];
    for (const txn of this.received) {
      if (seen.has(txn.txnId)) continue;
      seen.add(txn.txnId);
      for (const pdu of txn.pdus) result.push((pdu.content as { seq: number }).seq);
    }
    return result;
  }

  /**
   * Answers `method` requests whose path (without the query) starts with `path` with `body`, to
   * play a peer that answers other endpoints than `/send`, well or badly. The latest one set for a
   * path wins.
   */
  answer(method: 'GET' | 'PUT' | 'POST', path: string, body: unknown, status = 200): void {
    this.canned.unshift({ method, path, status, body });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(
    request: import('node:http').IncomingMessage,
    response: import('node:http').ServerResponse,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = (request.url ?? '').split('?', 1)[0] ?? '';
    const canned = this.canned.find((entry) => entry.method === request.method && path.startsWith(entry.path));
    if (canned) return this.reply(response, canned.status, canned.body);
    const match = /^\/_matrix\/federation\/v1\/send\/([^/?]+)/.exec(request.url ?? '');
    if (!match || request.method !== 'PUT')
      return this.reply(response, 404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      pdus?: Array<Record<string, unknown>>;
      edus?: Array<Record<string, unknown>>;
    };
    const transaction = { txnId: decodeURIComponent(match[1] as string), pdus: body.pdus ?? [], edus: body.edus ?? [] };
    this.attempts.push(transaction);
    if (this.mode.kind === 'fail')
      return this.reply(response, 500, { errcode: 'M_UNKNOWN', error: 'Internal server error' });
    if (this.mode.kind === 'slow')
      await new Promise((resolve) => setTimeout(resolve, (this.mode as { delayMs: number }).delayMs));
    this.received.push(transaction);
    this.reply(response, 200, { pdus: {} });
  }

  private reply(response: import('node:http').ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }
}
