import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeliveryService } from '@hearth/delivery';
import { TransactionRunner } from '@hearth/storage';
import {
  createTestDatabase,
  eventually,
  FakePeer,
  makeTestCertificate,
  startTestHomeserver,
  TEST_REDIS_URL,
  type TestDatabase,
  type TestHomeserver,
} from '@hearth/testing';

const DESTINATIONS = 50;
const EVENTS_PER_ROOM = 10;
/** Under the 30 s federation request timeout, so the slow peer's answer still counts. */
const SLOW_PEER_DELAY_MS = 20_000;
const ROOMS = ['!one:workers.example', '!two:workers.example'];

/**
 * Three homeserver processes' worth of consumers on one database and one BullMQ queue deliver
 * to 50 peers on loopback: every PDU arrives, per room in order, and a peer answering 500s or
 * answering slowly holds up nobody else.
 */
describe('delivery: three consumers sharing one queue, fifty destinations', () => {
  let database: TestDatabase;
  let dataDir: string;
  const servers: TestHomeserver[] = [];
  let peers: FakePeer[] = [];
  let failing: FakePeer;
  let slow: FakePeer;

  beforeAll(async () => {
    const certificate = makeTestCertificate();
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-workers-'));
    const config = {
      server_name: `workers-${process.pid}.example`,
      redis_url: TEST_REDIS_URL,
      federation: { verify_tls: false },
    };
    // One after the other: the first creates the signing key and runs the migrations.
    for (let i = 0; i < 3; i++) servers.push(await startTestHomeserver({ database, dataDir, config }));
    peers = await Promise.all(Array.from({ length: DESTINATIONS }, () => FakePeer.start(certificate)));
    failing = peers[DESTINATIONS - 1] as FakePeer;
    failing.mode = { kind: 'fail' };
    // Slower than the whole run takes for everyone else: it must not hold them up.
    slow = peers[DESTINATIONS - 2] as FakePeer;
    slow.mode = { kind: 'slow', delayMs: SLOW_PEER_DELAY_MS };
  });

  afterAll(async () => {
    await Promise.all(peers.map((peer) => peer.close()));
    for (const server of servers.slice(1)) await server.stop();
    await servers[0]?.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers every PDU to every healthy peer exactly once per transaction, in order per room, whatever a failing or slow peer does', async () => {
    const app = servers[0]!.server.app;
    const delivery = app.get(DeliveryService);
    const tx = app.get(TransactionRunner);
    const destinations = peers.map((peer) => peer.serverName);
    let seq = 0;
    for (let i = 0; i < EVENTS_PER_ROOM; i++) {
      await tx.run((em) =>
        delivery.recordPdus(
          ROOMS.map((roomId) => ({
            pdu: { room_id: roomId, type: 'm.room.message', content: { seq: seq++, room: roomId } },
            destinations,
          })),
          em,
        ),
      );
    }
    const started = Date.now();
    const healthy = peers.filter((peer) => peer !== failing && peer !== slow);
    const total = EVENTS_PER_ROOM * ROOMS.length;
    await eventually(
      () => Promise.resolve(healthy.every((peer) => new Set(peer.sequence()).size === total) ? true : undefined),
      'every PDU at every healthy peer',
      60_000,
    );

    for (const peer of healthy) {
      const sequence = peer.sequence();
      expect(sequence).toHaveLength(total);
      for (const roomId of ROOMS) {
        const inRoom = peer.received
          .flatMap((txn) => txn.pdus)
          .filter((pdu) => (pdu.content as { room: string }).room === roomId)
          .map((pdu) => (pdu.content as { seq: number }).seq);
        const firstSeen = [...new Set(inRoom)];
        expect(firstSeen).toEqual([...firstSeen].sort((x, y) => x - y));
      }
    }
    // A sender held up by the slow peer would have waited out its whole delay first.
    expect(Date.now() - started).toBeLessThan(SLOW_PEER_DELAY_MS - 5000);
    expect(failing.received).toHaveLength(0);
    // The slow peer gets everything too, only later.
    await eventually(
      () => Promise.resolve(new Set(slow.sequence()).size === total ? true : undefined),
      'every PDU at the slow peer',
      60_000,
    );
  }, 90_000);
});
