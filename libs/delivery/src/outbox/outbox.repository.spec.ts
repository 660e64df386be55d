import type { JsonObject } from '@hearth/protocol';
import { DestinationRepository } from '../destinations/destination.repository';
import { useDeliverySpecDatabase } from '../spec-support/delivery-spec-database';
import { OutboxRepository, type OutboxTransaction } from './outbox.repository';

const LIMITS = { pdus: 50, edus: 100 };

/**
 * The outbox's transactions on real PostgreSQL: which rows go into a federation transaction,
 * that a retry sends the same rows under the same ID, and what a sender that takes over after
 * another died finds.
 */
describe('OutboxRepository', () => {
  const spec = useDeliverySpecDatabase();
  const outbox = new OutboxRepository();

  const pdu = (n: number, roomId = '!room:here'): JsonObject => ({ event_id: `$pdu${n}`, room_id: roomId });
  const edu = (n: number): JsonObject => ({ edu_type: 'm.receipt', content: { n } });
  const record = (
    rows: Array<{ kind: 'pdu' | 'edu'; payload: JsonObject; droppable?: boolean }>,
    destination = spec.peer,
  ) =>
    spec.tx.run((em) =>
      outbox.insert(
        rows.map((row) => ({ destination, ...row })),
        em,
      ),
    );
  const recordPdus = (from: number, count: number, destination = spec.peer) =>
    record(
      Array.from({ length: count }, (_, i) => ({ kind: 'pdu' as const, payload: pdu(from + i) })),
      destination,
    );
  const recordEdus = (from: number, count: number) =>
    record(Array.from({ length: count }, (_, i) => ({ kind: 'edu' as const, payload: edu(from + i) })));
  const begin = (txnId: string, limits = LIMITS, destination = spec.peer) =>
    spec.tx.run((em) => outbox.begin(destination, txnId, limits, em));
  const begun = (destination = spec.peer) => spec.tx.read((em) => outbox.begun(destination, em));
  const sent = (txn: OutboxTransaction | undefined) => spec.tx.run((em) => outbox.delete(idsOf(txn), em));
  const eventIds = (txn: OutboxTransaction | undefined) => txn?.pdus.map((row) => row.payload.event_id);

  describe('begin', () => {
    it('puts the oldest waiting rows, in the order recorded, into a transaction with the given ID', async () => {
      await recordPdus(1, 3);
      await recordEdus(1, 2);
      const txn = await begin('txn-1');
      expect(txn?.txnId).toBe('txn-1');
      expect(eventIds(txn)).toEqual(['$pdu1', '$pdu2', '$pdu3']);
      expect(txn?.edus.map((row) => row.payload)).toEqual([edu(1), edu(2)]);
      const ids = idsOf(txn);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    });

    it('takes at most 50 PDUs and 100 EDUs; the rest waits for the next transaction', async () => {
      await recordPdus(1, 60);
      await recordEdus(1, 130);
      const first = await begin('txn-1');
      expect(first?.pdus).toHaveLength(50);
      expect(first?.edus).toHaveLength(100);
      expect(eventIds(first)?.at(-1)).toBe('$pdu50');
      const second = await begin('txn-2');
      expect(eventIds(second)).toEqual(Array.from({ length: 10 }, (_, i) => `$pdu${51 + i}`));
      expect(second?.edus.map((row) => row.payload)).toEqual(Array.from({ length: 30 }, (_, i) => edu(101 + i)));
      expect(await begin('txn-3')).toBeUndefined();
    });

    it('answers undefined when nothing waits, and never takes another destination’s rows', async () => {
      expect(await begin('txn-1')).toBeUndefined();
      await recordPdus(1, 2, `${spec.peer}.other`);
      expect(await begin('txn-1')).toBeUndefined();
      expect(eventIds(await begin('txn-1', LIMITS, `${spec.peer}.other`))).toEqual(['$pdu1', '$pdu2']);
    });

    it('never puts a row into two transactions, even when two senders begin at once', async () => {
      await recordPdus(1, 20);
      // Sender A has put the rows in its transaction and not committed yet when B begins.
      let commitA!: () => void;
      let aBegan!: () => void;
      const gate = new Promise<void>((resolve) => (commitA = resolve));
      const began = new Promise<void>((resolve) => (aBegan = resolve));
      const a = spec.tx.run(async (em) => {
        const txn = await outbox.begin(spec.peer, 'txn-a', LIMITS, em);
        aBegan();
        await gate;
        return txn;
      });
      await began;
      const b = begin('txn-b');
      await waitUntilBlockedOnALock();
      commitA();
      const [txnA, txnB] = await Promise.all([a, b]);
      expect(txnA?.pdus).toHaveLength(20);
      expect(txnB).toBeUndefined();
      expect(await begun()).toEqual(txnA);
    });
  });

  describe('begun: a retry', () => {
    it('finds the transaction begun and not yet accepted, with its ID and exactly its rows', async () => {
      await recordPdus(1, 3);
      await recordEdus(1, 1);
      const first = await begin('txn-1');
      expect(await begun()).toEqual(first);
      // Asked again (another failed attempt), it is still the same.
      expect(await begun()).toEqual(first);
    });

    it('leaves rows recorded meanwhile out of it, for the next transaction', async () => {
      await recordPdus(1, 2);
      const first = await begin('txn-1');
      await recordPdus(3, 2);
      await recordEdus(1, 1);
      expect(await begun()).toEqual(first);
      await sent(first);
      expect(await begun()).toBeUndefined();
      const next = await begin('txn-2');
      expect(next?.txnId).toBe('txn-2');
      expect(eventIds(next)).toEqual(['$pdu3', '$pdu4']);
      expect(next?.edus.map((row) => row.payload)).toEqual([edu(1)]);
    });

    it('answers the oldest begun transaction first when there are two', async () => {
      await recordPdus(1, 4);
      const first = await begin('txn-1', { pdus: 2, edus: 0 });
      const second = await begin('txn-2', { pdus: 2, edus: 0 });
      expect(await begun()).toEqual(first);
      await sent(first);
      expect(await begun()).toEqual(second);
    });

    it('answers undefined for a destination with nothing begun', async () => {
      await recordPdus(1, 2);
      expect(await begun()).toBeUndefined();
    });
  });

  describe('a sender that dies mid-transaction', () => {
    it('leaves its lease and its transaction; the next sender waits for the lease, then sends the same rows under the same ID', async () => {
      const destinations = new DestinationRepository();
      await recordPdus(1, 3);
      // Sender A takes the lease, puts a transaction together, and dies before the spec.peer answers.
      expect(await spec.tx.run((em) => destinations.lease(spec.peer, 'sender-a', 1_000, 36_000, em))).toBeDefined();
      const lost = await begin('txn-of-a');
      await recordPdus(4, 1);

      // Sender B is refused while A's lease runs.
      expect(await spec.tx.run((em) => destinations.lease(spec.peer, 'sender-b', 20_000, 55_000, em))).toBeUndefined();
      // Once it has run out, B takes over and finds A's transaction as it was.
      expect(await spec.tx.run((em) => destinations.lease(spec.peer, 'sender-b', 36_001, 71_001, em))).toBeDefined();
      // What the sender does for each transaction: a begun one first, else a new one.
      const nextTransaction = (txnId: string) =>
        spec.tx.run(async (em) => (await outbox.begun(spec.peer, em)) ?? outbox.begin(spec.peer, txnId, LIMITS, em));
      const retry = await nextTransaction('txn-of-b');
      expect(retry).toEqual(lost);
      expect(retry?.txnId).toBe('txn-of-a');

      // Accepted: the row recorded meanwhile goes in B's own transaction.
      await sent(retry);
      const next = await nextTransaction('txn-of-b');
      expect(next?.txnId).toBe('txn-of-b');
      expect(eventIds(next)).toEqual(['$pdu4']);
    });
  });

  describe('delete', () => {
    it('removes only the rows named', async () => {
      await recordPdus(1, 3);
      const txn = await begin('txn-1', { pdus: 2, edus: 0 });
      await sent(txn);
      expect(await count()).toBe(1);
      await spec.tx.run((em) => outbox.delete([], em));
      expect(await count()).toBe(1);
    });
  });

  describe('dropStale', () => {
    it('drops old droppable EDUs (typing) only: fresh ones, other EDUs and PDUs stay', async () => {
      await record([
        { kind: 'edu', payload: { edu_type: 'm.typing', content: { n: 1 } }, droppable: true },
        { kind: 'edu', payload: edu(2) },
        { kind: 'pdu', payload: pdu(3) },
      ]);
      await spec.tx.run((em) => outbox.dropStale(spec.peer, 0, em));
      expect(await count()).toBe(3);
      await spec.tx.run((em) => outbox.dropStale(spec.peer, Date.now() + 1_000, em));
      const left = await spec.tx.read((em) =>
        em.query<Array<{ kind: string; payload: JsonObject }>>(
          'SELECT kind, payload FROM federation_outbox WHERE destination = $1 ORDER BY id',
          [spec.peer],
        ),
      );
      expect(left).toEqual([
        { kind: 'edu', payload: edu(2) },
        { kind: 'pdu', payload: pdu(3) },
      ]);
    });
  });

  describe('a transaction already begun is sent again as it was', () => {
    it('keeps its stale typing EDUs through dropStale', async () => {
      await record([{ kind: 'edu', payload: { edu_type: 'm.typing', content: { n: 1 } }, droppable: true }]);
      const first = await begin('txn-1');
      await record([{ kind: 'edu', payload: { edu_type: 'm.typing', content: { n: 2 } }, droppable: true }]);
      await spec.tx.run((em) => outbox.dropStale(spec.peer, Date.now() + 1_000, em));
      expect(await begun()).toEqual(first);
      expect(await count()).toBe(1);
    });

    it('keeps its older PDUs of a room through keepNewestPduPerRoom', async () => {
      await recordPdus(1, 2);
      const first = await begin('txn-1');
      await recordPdus(3, 2);
      expect(await spec.tx.run((em) => outbox.keepNewestPduPerRoom(spec.peer, em))).toBe(1);
      expect(await begun()).toEqual(first);
      await sent(first);
      expect(eventIds(await begin('txn-2'))).toEqual(['$pdu4']);
    });
  });

  describe('keepNewestPduPerRoom (catch-up)', () => {
    it('keeps each room’s newest PDU and every EDU, and answers how many PDUs it dropped', async () => {
      await record([
        { kind: 'pdu', payload: pdu(1, '!a:here') },
        { kind: 'pdu', payload: pdu(2, '!b:here') },
        { kind: 'edu', payload: edu(1) },
        { kind: 'pdu', payload: pdu(3, '!a:here') },
        { kind: 'pdu', payload: pdu(4, '!a:here') },
        { kind: 'edu', payload: edu(2) },
      ]);
      await recordPdus(9, 1, `${spec.peer}.other`);
      await recordPdus(10, 1, `${spec.peer}.other`);
      expect(await spec.tx.run((em) => outbox.keepNewestPduPerRoom(spec.peer, em))).toBe(2);
      const txn = await begin('txn-1');
      expect(eventIds(txn)).toEqual(['$pdu2', '$pdu4']);
      expect(txn?.edus.map((row) => row.payload)).toEqual([edu(1), edu(2)]);
      expect(await spec.tx.read((em) => outbox.pduCountFor(`${spec.peer}.other`, em))).toBe(2);
    });
  });

  describe('counts', () => {
    it('counts what waits per destination, PDUs apart, and lists the destinations with anything waiting', async () => {
      const other = `${spec.peer}.other`;
      await recordPdus(1, 3);
      await recordEdus(1, 2);
      await recordPdus(1, 1, other);
      await spec.tx.read(async (em) => {
        expect(await outbox.countFor(spec.peer, em)).toBe(5);
        expect(await outbox.pduCountFor(spec.peer, em)).toBe(3);
        expect(await outbox.countFor('nobody.example', em)).toBe(0);
        expect(await outbox.destinationsWithPending(em)).toEqual(expect.arrayContaining([spec.peer, other]));
      });
      await sent(await begin('txn-1'));
      expect(await spec.tx.read((em) => outbox.destinationsWithPending(em))).not.toContain(spec.peer);
    });
  });

  async function waitUntilBlockedOnALock(): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const waiting = await spec.db.dataSource.query<unknown[]>(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      if (waiting.length > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('the second sender never waited for the first one’s row locks');
  }

  function count(): Promise<number> {
    return spec.tx.read((em) => outbox.countFor(spec.peer, em));
  }
});

function idsOf(txn: OutboxTransaction | undefined): number[] {
  return txn ? [...txn.pdus, ...txn.edus].map((row) => row.id) : [];
}
