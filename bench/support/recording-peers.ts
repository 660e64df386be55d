import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** Homeservers on loopback TLS that accept every transaction and note when each PDU (by `content.seq`) arrived. */
export class RecordingPeers {
  readonly arrivals = new Map<number, number>();
  private constructor(private readonly servers: https.Server[]) {}

  static async start(count: number): Promise<RecordingPeers> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-peers-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=peer',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const servers: https.Server[] = [];
    const peers = new RecordingPeers(servers);
    for (let i = 0; i < count; i++) {
      const server = https.createServer(
        { cert: fs.readFileSync(cert), key: fs.readFileSync(key) },
        (request, response) => {
          const chunks: Buffer[] = [];
          request.on('data', (chunk: Buffer) => chunks.push(chunk));
          request.on('end', () => {
            const now = performance.timeOrigin + performance.now();
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
              pdus?: Array<{ content?: { seq?: number } }>;
            };
            for (const pdu of body.pdus ?? [])
              if (typeof pdu.content?.seq === 'number' && !peers.arrivals.has(pdu.content.seq))
                peers.arrivals.set(pdu.content.seq, now);
            response.writeHead(200, { 'content-type': 'application/json' });
            response.end('{"pdus":{}}');
          });
        },
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
    }
    return peers;
  }

  get names(): string[] {
    return this.servers.map((server) => `127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  }
}
