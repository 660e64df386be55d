import type { EntityManager } from 'typeorm';
import { GatheredReads } from './gathered-reads';

const firstEm = { name: 'first' } as unknown as EntityManager;
const secondEm = { name: 'second' } as unknown as EntityManager;

/** A load that records each batch and the connection it ran on, answering when told to. */
function recordingLoad() {
  const batches: Array<{ asks: readonly string[]; em: EntityManager; finish: () => void }> = [];
  const load = (asks: readonly string[], em: EntityManager) =>
    new Promise<string[]>((resolve) => {
      const batch = batches.length + 1;
      batches.push({ asks, em, finish: () => resolve(asks.map((ask) => `${ask}@${batch}`)) });
    });
  return { batches, load };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('GatheredReads', () => {
  it("answers reads asked in one turn with one load, on the first caller's connection", async () => {
    const { batches, load } = recordingLoad();
    const reads = new GatheredReads(load);
    const answers = Promise.all([reads.read('ana', firstEm), reads.read('bea', secondEm)]);
    await nextTurn();
    expect(batches.map((b) => b.asks)).toEqual([['ana', 'bea']]);
    expect(batches[0]?.em).toBe(firstEm);
    batches[0]?.finish();
    expect(await answers).toEqual(['ana@1', 'bea@1']);
  });

  it('runs a batch on the connection a caller holds, never asking the pool for one while that caller waits', async () => {
    const { batches, load } = recordingLoad();
    const reads = new GatheredReads(load);
    // The pool's own manager (a sync reading statement by statement) holds nothing; a read runner's holds a connection.
    const pooled = { name: 'pool' } as unknown as EntityManager;
    const holding = { queryRunner: { isTransactionActive: false } } as unknown as EntityManager;
    const answers = Promise.all([reads.read('ana', pooled), reads.read('bea', holding), reads.read('cid', pooled)]);
    await nextTurn();
    expect(batches.map((b) => b.asks)).toEqual([['ana', 'bea', 'cid']]);
    expect(batches[0]?.em).toBe(holding);
    batches[0]?.finish();
    expect(await answers).toEqual(['ana@1', 'bea@1', 'cid@1']);
  });

  it('never hands a read the answer of a load that started before it was asked', async () => {
    const { batches, load } = recordingLoad();
    const reads = new GatheredReads(load);
    const early = reads.read('ana', firstEm);
    await nextTurn();
    // Asked while the first load runs: what that load reads may predate what the caller saw.
    const late = reads.read('ana', secondEm);
    await nextTurn();
    expect(batches.map((b) => b.asks)).toEqual([['ana'], ['ana']]);
    expect(batches[1]?.em).toBe(secondEm);
    batches[0]?.finish();
    batches[1]?.finish();
    expect([await early, await late]).toEqual(['ana@1', 'ana@2']);
  });

  it('reads alone for a caller inside a transaction', async () => {
    const { batches, load } = recordingLoad();
    const reads = new GatheredReads(load);
    const inTransaction = { queryRunner: { isTransactionActive: true } } as unknown as EntityManager;
    const outside = reads.read('ana', firstEm);
    const inside = reads.read('bea', inTransaction);
    await nextTurn();
    expect(batches.map((b) => b.asks)).toEqual([['bea'], ['ana']]);
    batches.forEach((b) => b.finish());
    expect([await outside, await inside]).toEqual(['ana@2', 'bea@1']);
  });

  it('fails every read of a batch whose load fails', async () => {
    const reads = new GatheredReads<string, string>(() => Promise.reject(new Error('database gone')));
    const results = await Promise.allSettled([reads.read('ana', firstEm), reads.read('bea', firstEm)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
