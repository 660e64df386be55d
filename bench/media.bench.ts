/**
 * Media figures (issue 18): upload and download throughput of one 500 MB file through
 * `hearth start` (streamed into the filesystem store, hashed on the way), and the server's RSS
 * during the upload, beside a plain Node file server (stream to a file, stream it back) on the
 * same machine in the same run. Targets: at least half the plain server's throughput, RSS growth
 * under 50 MB.
 *
 *   npm run bench:media            (BENCH_MEDIA_MB=100 for a shorter run)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { createBenchDatabase, register, startServer } from './support/bench-server';

const MEGABYTE = 1024 * 1024;
const FILE_MB = Number(process.env.BENCH_MEDIA_MB ?? 500);
const HEARTH_PORT = 18_480;
const PLAIN_PORT = 18_481;

/** The plain server: what Node does with no framework, no hashing and no database. */
const PLAIN_SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const { pipeline } = require('node:stream/promises');
const file = process.argv[1];
http.createServer(async (req, res) => {
  if (req.method === 'POST') {
    await pipeline(req, fs.createWriteStream(file));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  } else {
    const size = fs.statSync(file).size;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    await pipeline(fs.createReadStream(file), res);
  }
}).listen(${PLAIN_PORT}, '127.0.0.1', () => process.stdout.write('listening\\n'));
`;

interface Figures {
  readonly uploadMBs: number;
  readonly downloadMBs: number;
  readonly rssBeforeMB: number;
  readonly rssPeakMB: number;
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const hearth = await startServer(database, HEARTH_PORT, {
    HEARTH_MEDIA_MAX_UPLOAD_BYTES: String((FILE_MB + 1) * MEGABYTE),
  });
  const plainFile = path.join(database.dataDir, 'plain-upload.bin');
  const plain = await startPlainServer(plainFile);
  try {
    const token = await register(hearth.url, 'bench-media');
    process.stdout.write(
      `${FILE_MB} MB file, one upload and one download each (the machine is shared: figures are noisy)\n`,
    );
    const plainFigures = await measure(
      plain,
      `http://127.0.0.1:${PLAIN_PORT}/upload`,
      () => `http://127.0.0.1:${PLAIN_PORT}/file`,
    );
    const hearthFigures = await measure(
      hearth.child,
      `${hearth.url}/_matrix/media/v3/upload?filename=bench.bin`,
      (answer) =>
        `${hearth.url}/_matrix/client/v1/media/download/${(JSON.parse(answer) as { content_uri: string }).content_uri.slice(6)}`,
      token,
    );
    report('plain Node', plainFigures);
    report('hearth', hearthFigures);
    process.stdout.write(
      `hearth/plain: upload ${pct(hearthFigures.uploadMBs, plainFigures.uploadMBs)}, download ${pct(hearthFigures.downloadMBs, plainFigures.downloadMBs)}; hearth RSS growth ${(hearthFigures.rssPeakMB - hearthFigures.rssBeforeMB).toFixed(1)} MB\n`,
    );
  } finally {
    plain.kill('SIGTERM');
    await hearth.stop();
    await database.drop();
  }
}

async function measure(
  server: ChildProcess,
  uploadUrl: string,
  downloadUrl: (answer: string) => string,
  token?: string,
): Promise<Figures> {
  const rssBeforeMB = rssOf(server.pid!);
  let rssPeakMB = rssBeforeMB;
  const sampler = setInterval(() => (rssPeakMB = Math.max(rssPeakMB, rssOf(server.pid!))), 50);
  const uploadStart = performance.now();
  const answer = await send('POST', uploadUrl, token, generated(FILE_MB));
  const uploadSeconds = (performance.now() - uploadStart) / 1000;
  clearInterval(sampler);
  const downloadStart = performance.now();
  const received = await receive(downloadUrl(answer), token);
  const downloadSeconds = (performance.now() - downloadStart) / 1000;
  if (received !== FILE_MB * MEGABYTE) throw new Error(`downloaded ${received} bytes, expected ${FILE_MB * MEGABYTE}`);
  return { uploadMBs: FILE_MB / uploadSeconds, downloadMBs: FILE_MB / downloadSeconds, rssBeforeMB, rssPeakMB };
}

/** FILE_MB megabytes, made as they are read (the client must not hold the file either). */
function generated(megabytes: number): Readable {
  const block = Buffer.alloc(MEGABYTE);
  let sent = 0;
  return new Readable({
    read() {
      if (sent === megabytes) return void this.push(null);
      block.writeUInt32BE(sent, 0);
      sent++;
      this.push(Buffer.from(block));
    },
  });
}

function send(method: string, url: string, token: string | undefined, body: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': FILE_MB * MEGABYTE,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${res.statusCode} ${text}`))));
      },
    );
    request.on('error', reject);
    body.pipe(request);
  });
}

function receive(url: string, token: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve(bytes));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

async function startPlainServer(file: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', PLAIN_SERVER, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`plain server exited with ${String(code)}`)));
  });
  return child;
}

function report(name: string, figures: Figures): void {
  process.stdout.write(
    `${name.padEnd(11)} upload ${figures.uploadMBs.toFixed(0).padStart(5)} MB/s  download ${figures.downloadMBs.toFixed(0).padStart(5)} MB/s  RSS ${figures.rssBeforeMB.toFixed(0)} → peak ${figures.rssPeakMB.toFixed(0)} MB during the upload\n`,
  );
}

function pct(value: number, base: number): string {
  return `${((value / base) * 100).toFixed(0)}%`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
