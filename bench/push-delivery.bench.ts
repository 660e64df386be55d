/**
 * Push delivery latency (issue 20): from a message's PUT /send to its notification arriving at a
 * push gateway, against `hearth start` in a child process and local PostgreSQL, with a
 * spec-shaped gateway in this process on loopback (allowed by HEARTH_PUSH_ALLOW_HTTP_GATEWAYS and
 * HEARTH_PUSH_ALLOW_PRIVATE_GATEWAYS).
 *   (a) one recipient with one pusher, in-process queue
 *   (b) the same with REDIS_URL: BullMQ carries the push queue
 *   (c) fan-out: 50 recipients in the room, each with a pusher, in-process queue
 *
 *   npm run bench:push-delivery
 *   BENCH_PHASES=a npm run bench:push-delivery
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  agent,
  call,
  createBenchDatabase,
  createRoom,
  percentile,
  REDIS_URL,
  register,
  send,
  startServer,
} from './support/bench-server';

const PHASES = new Set((process.env.BENCH_PHASES ?? 'a,b,c').split(','));
const PORT = Number(process.env.BENCH_PORT ?? 18_508);
/** Messages sent one after another, and the pause between them. */
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 300);
const PAUSE_MS = 30;
const FAN_OUT = 50;

/** Arrivals by event ID: when the gateway received a notification for it, once per pusher. */
type Arrivals = Map<string, number[]>;

async function main(): Promise<void> {
  const arrivals: Arrivals = new Map();
  const gateway = await startGateway(arrivals);
  const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/_matrix/push/v1/notify`;
  try {
    if (PHASES.has('a')) await run('(a) send → gateway, 1 recipient, in-process queue', url, arrivals, {}, 1);
    if (PHASES.has('b')) await run('(b) send → gateway, 1 recipient, BullMQ on Redis', url, arrivals, { REDIS_URL }, 1);
    if (PHASES.has('c'))
      await run(`(c) send → gateway, ${FAN_OUT} recipients with a pusher each`, url, arrivals, {}, FAN_OUT);
  } finally {
    gateway.close();
    agent.destroy();
  }
}

async function run(title: string, url: string, arrivals: Arrivals, env: Record<string, string>, recipients: number) {
  const database = await createBenchDatabase();
  const server = await startServer(database, PORT, {
    HEARTH_PUSH_ALLOW_HTTP_GATEWAYS: 'true',
    HEARTH_PUSH_ALLOW_PRIVATE_GATEWAYS: 'true',
    ...env,
  });
  try {
    arrivals.clear();
    const sender = await register(server.url, 'sender');
    const tokens: string[] = [];
    for (let i = 0; i < recipients; i++) tokens.push(await register(server.url, `phone${i}`));
    const roomId = await createRoom(server.url, sender, tokens);
    for (const [i, token] of tokens.entries())
      await call(
        server.url,
        'POST',
        '/_matrix/client/v3/pushers/set',
        {
          kind: 'http',
          app_id: 'org.example.bench',
          app_display_name: 'Bench',
          device_display_name: `Phone ${i}`,
          lang: 'en',
          pushkey: `bench-key-${i}`,
          data: { url },
        },
        token,
      );
    await database.analyze();

    const started = new Map<string, number>();
    const returned = new Map<string, number>();
    for (let i = 0; i < MESSAGES; i++) {
      const before = performance.now();
      const { event_id: eventId } = (await send(server.url, sender, roomId, `p${i}`)) as { event_id: string };
      started.set(eventId, before);
      returned.set(eventId, performance.now());
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
    const deadline = Date.now() + 30_000;
    const complete = () => [...started.keys()].every((id) => (arrivals.get(id)?.length ?? 0) >= recipients);
    while (!complete() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));

    const fromReturn: number[] = [];
    const fromStart: number[] = [];
    let missing = 0;
    for (const [id, start] of started) {
      const times = arrivals.get(id) ?? [];
      missing += Math.max(0, recipients - times.length);
      for (const at of times) {
        fromStart.push(at - start);
        fromReturn.push(at - (returned.get(id) ?? start));
      }
    }
    report(title, fromStart, fromReturn, missing);
  } finally {
    await server.stop();
    await database.drop();
  }
}

function report(title: string, fromStart: number[], fromReturn: number[], missing: number): void {
  const format = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`;
  };
  console.log(title);
  console.log(`  PUT /send issued → gateway:   ${format(fromStart)}  (${fromStart.length} notifications)`);
  console.log(`  PUT /send answered → gateway: ${format(fromReturn)}${missing ? `  (${missing} never arrived)` : ''}`);
}

/** A spec-shaped gateway that notes when each event's notification arrives and rejects nothing. */
async function startGateway(arrivals: Arrivals): Promise<http.Server> {
  const server = http.createServer({ keepAlive: true }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      const { notification } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        notification: { event_id?: string };
      };
      if (notification.event_id)
        arrivals.set(notification.event_id, [...(arrivals.get(notification.event_id) ?? []), at]);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"rejected":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
