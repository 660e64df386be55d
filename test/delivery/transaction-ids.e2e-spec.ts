import { DeliveryService } from '@hearth/delivery';
import { TransactionRunner } from '@hearth/storage';
import {
  copyTestDatabase,
  createTestDatabase,
  eventually,
  FakePeer,
  makeTestCertificate,
  startTestHomeserver,
  usingEmbeddedFallback,
  type TestHomeserver,
} from '@hearth/testing';

/**
 * Peers remember the transaction IDs they have answered (Synapse for a day) and answer a known
 * ID from that memory without looking at its PDUs. So an ID must never come back for other
 * PDUs, even when the database behind the server name is recreated or restored from a backup,
 * and must come back for a retry of the same PDUs, even after a restart.
 */
describe('delivery: transaction IDs are unique for the life of the server name, and stable across retries', () => {
  const serverName = `txn-ids-${process.pid}.example`;
  const config = { server_name: serverName, federation: { verify_tls: false } };
  let peer: FakePeer;

  beforeAll(async () => {
    peer = await FakePeer.start(makeTestCertificate());
  });

  afterAll(async () => {
    await peer.close();
  });

  beforeEach(() => {
    peer.mode = { kind: 'ok' };
    peer.received.length = 0;
    peer.attempts.length = 0;
  });

  const record = (server: TestHomeserver, seqs: readonly number[]) =>
    server.server.app.get(TransactionRunner).run((em) =>
      server.server.app.get(DeliveryService).recordPdus(
        seqs.map((seq) => ({
          pdu: { room_id: `!room:${serverName}`, type: 'm.room.message', content: { seq } },
          destinations: [peer.serverName],
        })),
        em,
      ),
    );
  // Counts every accepted transaction, even one under an ID the peer saw before (which a real peer would drop).
  const arrived = (count: number) =>
    eventually(
      () => Promise.resolve(peer.received.flatMap((txn) => txn.pdus).length >= count ? true : undefined),
      `${count} PDUs at the peer`,
      20_000,
    );

  it('a database recreated under the same server name does not reuse an ID', async () => {
    const first = await startTestHomeserver({ config });
    await record(first, [1]);
    await arrived(1);
    await first.destroy();

    const second = await startTestHomeserver({ config });
    await record(second, [2]);
    await arrived(2);
    await second.destroy();

    expect(peer.received.map((txn) => txn.pdus.length)).toEqual([1, 1]);
    expect(peer.received[0]!.txnId).not.toBe(peer.received[1]!.txnId);
  });

  it('a database restored from a backup does not reuse an ID it sent after the backup', async () => {
    if (usingEmbeddedFallback()) return;
    const database = await createTestDatabase();
    const original = await startTestHomeserver({ database, config });
    await original.stop();
    const backup = await copyTestDatabase(database);

    const beforeRestore = await original.restart();
    await record(beforeRestore, [3]);
    await arrived(1);
    await beforeRestore.destroy();

    const restored = await startTestHomeserver({ database: backup, config });
    await record(restored, [4]);
    await arrived(2);
    await restored.destroy();

    expect(peer.received.map((txn) => txn.pdus.length)).toEqual([1, 1]);
    expect(peer.received[0]!.txnId).not.toBe(peer.received[1]!.txnId);
  });

  it('a retried transaction keeps its ID and its PDUs, across a restart, while later PDUs go in a new one', async () => {
    peer.mode = { kind: 'fail' };
    const server = await startTestHomeserver({ config });
    await record(server, [10, 11, 12]);
    const refused = await eventually(() => Promise.resolve(peer.attempts[0]), 'a first, refused attempt');
    await record(server, [13, 14]);
    const restarted = await server.restart();
    peer.mode = { kind: 'ok' };
    await arrived(5);
    await restarted.destroy();

    const seqs = (txn: { pdus: Array<Record<string, unknown>> }) =>
      txn.pdus.map((pdu) => (pdu.content as { seq: number }).seq);
    expect(seqs(refused)).toEqual([10, 11, 12]);
    for (const attempt of peer.attempts.filter((attempt) => seqs(attempt).includes(10))) {
      expect(attempt.txnId).toBe(refused.txnId);
      expect(seqs(attempt)).toEqual([10, 11, 12]);
    }
    expect(peer.received.map(seqs)).toEqual([
      [10, 11, 12],
      [13, 14],
    ]);
    expect(peer.received[0]!.txnId).toBe(refused.txnId);
    expect(peer.received[1]!.txnId).not.toBe(refused.txnId);
  });
});
