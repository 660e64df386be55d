import type { EntityManager } from 'typeorm';

interface Waiting<Ask, Answer> {
  readonly ask: Ask;
  readonly resolve: (answer: Answer) => void;
  readonly reject: (error: unknown) => void;
}

interface Batch<Ask, Answer> {
  em: EntityManager;
  readonly waiting: Array<Waiting<Ask, Answer>>;
}

/**
 * Gathers reads asked in the same turn of the event loop into one statement: the syncs one
 * message wakes get to their per-user reads (unread counts) together, and one statement answers
 * them all. A read only joins a batch that has not started yet, so every answer is read after its
 * caller asked: never older than what the caller's own statement would have read. The batch runs
 * on a connection one of its callers holds, if any does (it waits for the answer like the
 * others); when none does (syncs, TransactionRunner.readEachStatement), it takes a pooled one for
 * the statement alone. Either way no caller waits for a connection while holding one (rule 7 of
 * docs/architecture.md). A caller inside a transaction reads alone.
 */
export class GatheredReads<Ask, Answer> {
  private gathering: Batch<Ask, Answer> | undefined;

  constructor(private readonly load: (asks: readonly Ask[], em: EntityManager) => Promise<readonly Answer[]>) {}

  read(ask: Ask, em: EntityManager): Promise<Answer> {
    // A transaction's snapshot may predate other callers' asks, and holds its own writes: alone.
    if (em.queryRunner?.isTransactionActive) return this.load([ask], em).then((answers) => answers[0] as Answer);
    return new Promise<Answer>((resolve, reject) => {
      let batch = this.gathering;
      if (!batch) {
        const started: Batch<Ask, Answer> = { em, waiting: [] };
        batch = started;
        this.gathering = started;
        setImmediate(() => this.run(started));
      }
      // A caller holding a connection waits on this batch: it must not need another one.
      if (!holdsConnection(batch.em) && holdsConnection(em)) batch.em = em;
      batch.waiting.push({ ask, resolve, reject });
    });
  }

  private run(batch: Batch<Ask, Answer>): void {
    if (this.gathering === batch) this.gathering = undefined;
    this.load(
      batch.waiting.map((w) => w.ask),
      batch.em,
    ).then(
      (answers) => batch.waiting.forEach((w, i) => w.resolve(answers[i] as Answer)),
      (error: unknown) => batch.waiting.forEach((w) => w.reject(error)),
    );
  }
}

/** An EntityManager of a query runner (TransactionRunner's run and read) holds a connection; the pool's own does not. */
function holdsConnection(em: EntityManager): boolean {
  return em.queryRunner !== undefined;
}
