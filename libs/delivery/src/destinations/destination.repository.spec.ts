import { useDeliverySpecDatabase } from '../spec-support/delivery-spec-database';
import { DestinationRepository } from './destination.repository';

/** Leases and backoff state in `federation_destinations`, on real PostgreSQL. */
describe('DestinationRepository', () => {
  const spec = useDeliverySpecDatabase(':8448');
  const destinations = new DestinationRepository();

  const lease = (owner: string, now: number, until: number, destination = spec.peer) =>
    spec.tx.run((em) => destinations.lease(destination, owner, now, until, em));
  const find = (destination = spec.peer) => spec.tx.read((em) => destinations.find(destination, em));

  describe('lease', () => {
    it('creates the row of a destination it has not seen and hands it out, healthy', async () => {
      expect(await find()).toBeUndefined();
      expect(await lease('sender-a', 1_000, 31_000)).toEqual({
        destination: spec.peer,
        failures: 0,
        retryAt: 0,
        downSince: null,
        lastError: null,
        lastSuccessTs: null,
        leasedUntil: 31_000,
      });
      expect((await find())?.leasedUntil).toBe(31_000);
    });

    it('is not taken by another sender while it runs, nor at the very millisecond it ends', async () => {
      await lease('sender-a', 1_000, 31_000);
      expect(await lease('sender-b', 1_001, 40_000)).toBeUndefined();
      expect(await lease('sender-b', 30_999, 40_000)).toBeUndefined();
      expect(await lease('sender-b', 31_000, 40_000)).toBeUndefined();
      // The holder is unchanged by the refusals.
      expect((await find())?.leasedUntil).toBe(31_000);
    });

    it('passes to another sender once it has run out (a sender that died)', async () => {
      await lease('sender-a', 1_000, 31_000);
      expect(await lease('sender-b', 31_001, 61_001)).toMatchObject({ leasedUntil: 61_001 });
      // And the first sender, back, no longer holds it.
      expect(await lease('sender-a', 31_002, 61_002)).toBeUndefined();
    });

    it('is renewed by its holder, before or after it ran out', async () => {
      await lease('sender-a', 1_000, 31_000);
      expect(await lease('sender-a', 20_000, 50_000)).toMatchObject({ leasedUntil: 50_000 });
      expect(await lease('sender-a', 60_000, 90_000)).toMatchObject({ leasedUntil: 90_000 });
      expect(await lease('sender-b', 60_001, 90_001)).toBeUndefined();
    });

    it('goes to exactly one of several senders asking at the same moment', async () => {
      const owners = ['sender-a', 'sender-b', 'sender-c'];
      const results = await Promise.all(owners.map((owner) => lease(owner, 1_000, 31_000)));
      expect(results.filter((state) => state !== undefined)).toHaveLength(1);
    });

    it('is refused to everyone, its holder included, until the backoff ends', async () => {
      await lease('sender-a', 500, 30_500);
      await spec.tx.run((em) => destinations.failed(spec.peer, 'connection refused', 1_000, 9_000, em));
      expect(await lease('sender-a', 8_999, 20_000)).toBeUndefined();
      const taken = await lease('sender-a', 9_000, 20_000);
      expect(taken).toMatchObject({ failures: 1, retryAt: 9_000, downSince: 1_000, lastError: 'connection refused' });
      await spec.tx.run((em) => destinations.failed(spec.peer, 'still refused', 9_500, 30_000, em));
      expect(await lease('sender-a', 10_000, 40_000)).toBeUndefined();
    });

    it('is kept per destination: one destination’s lease does not hold another', async () => {
      const other = `${spec.peer}.other`;
      await lease('sender-a', 1_000, 31_000);
      expect(await lease('sender-b', 1_000, 31_000, other)).toMatchObject({ destination: other });
    });
  });

  describe('release', () => {
    it('frees the destination for another sender at once', async () => {
      await lease('sender-a', 1_000, 31_000);
      await spec.tx.run((em) => destinations.release(spec.peer, 'sender-a', em));
      expect((await find())?.leasedUntil).toBeNull();
      expect(await lease('sender-b', 1_001, 31_001)).toMatchObject({ leasedUntil: 31_001 });
    });

    it('does nothing when asked by a sender that does not hold it', async () => {
      await lease('sender-a', 1_000, 31_000);
      await spec.tx.run((em) => destinations.release(spec.peer, 'sender-b', em));
      expect((await find())?.leasedUntil).toBe(31_000);
      expect(await lease('sender-b', 1_001, 31_001)).toBeUndefined();
    });
  });

  describe('health', () => {
    it('counts failures, keeps when the destination went down, and the last error (at most 500 characters)', async () => {
      await lease('sender-a', 500, 30_500);
      await spec.tx.run((em) => destinations.failed(spec.peer, 'first', 1_000, 3_000, em));
      await spec.tx.run((em) => destinations.failed(spec.peer, 'x'.repeat(2_000), 5_000, 9_000, em));
      const state = await find();
      expect(state).toMatchObject({ failures: 2, retryAt: 9_000, downSince: 1_000 });
      expect(state?.lastError).toBe('x'.repeat(500));
    });

    it('forgets failures, backoff, down_since and the error on success, and records when', async () => {
      await lease('sender-a', 500, 30_500);
      await spec.tx.run((em) => destinations.failed(spec.peer, 'refused', 1_000, 3_000, em));
      await spec.tx.run((em) => destinations.succeeded(spec.peer, 4_000, em));
      const healthy = { failures: 0, retryAt: 0, downSince: null, lastError: null, lastSuccessTs: 4_000 };
      expect(await find()).toMatchObject(healthy);
    });

    it('reset (admin API) forgets the backoff so that the next lease is now, and answers whether the destination exists', async () => {
      await lease('sender-a', 500, 600);
      await spec.tx.run((em) => destinations.failed(spec.peer, 'refused', 1_000, 3_600_000, em));
      expect(await spec.tx.run((em) => destinations.reset(spec.peer, em))).toBe(true);
      expect(await find()).toMatchObject({ failures: 0, retryAt: 0, downSince: null });
      expect(await lease('sender-b', 1_001, 31_001)).toBeDefined();
      expect(await spec.tx.run((em) => destinations.reset('never-seen.example', em))).toBe(false);
    });

    it('reports when each failing destination may be tried again, omitting ones it does not know', async () => {
      const other = `${spec.peer}.other`;
      await lease('sender-a', 500, 600);
      await lease('sender-a', 500, 600, other);
      await spec.tx.run((em) => destinations.failed(spec.peer, 'refused', 1_000, 7_000, em));
      const times = await spec.tx.read((em) => destinations.retryTimes([spec.peer, other, 'unknown.example'], em));
      expect(times).toEqual(
        new Map([
          [spec.peer, 7_000],
          [other, 0],
        ]),
      );
      expect(await spec.tx.read((em) => destinations.retryTimes([], em))).toEqual(new Map());
    });

    it('lists destinations by name, a page at a time, with the total', async () => {
      const names = ['c', 'a', 'b'].map((letter) => `${letter}.list-${spec.peer}`);
      for (const name of names) await lease('sender-a', 0, 1, name);
      const all = await spec.tx.read((em) => destinations.list(0, 1_000, em));
      const ours = all.destinations
        .map((state) => state.destination)
        .filter((name) => name.endsWith(`list-${spec.peer}`));
      expect(ours).toEqual([...names].sort());
      expect(all.total).toBe(all.destinations.length);
      const page = await spec.tx.read((em) => destinations.list(1, 2, em));
      const names2and3 = all.destinations.slice(1, 3).map((state) => state.destination);
      expect(page.destinations.map((state) => state.destination)).toEqual(names2and3);
      expect(page.total).toBe(all.total);
    });
  });
});
