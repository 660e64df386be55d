import { BullMqDeliveryQueue, InProcessDeliveryQueue, type DeliveryQueue } from '@hearth/delivery';
import { eventually, TEST_REDIS_URL } from '@hearth/testing';

/** The same contract for both adapters of the queue port: the in-process runner and BullMQ on real Redis. */
describe.each([
  ['in-process', () => new InProcessDeliveryQueue()],
  [
    'BullMQ on Redis',
    () => new BullMqDeliveryQueue(TEST_REDIS_URL, `hearth-delivery-test-${process.pid}-${Date.now()}`),
  ],
])('delivery queue: %s', (_name, create: () => DeliveryQueue) => {
  let queue: DeliveryQueue;
  const runs: Array<{ destination: string; at: number }> = [];
  let active = new Map<string, number>();
  let overlap = false;
  let hold: Promise<void> = Promise.resolve();

  beforeAll(() => {
    queue = create();
    queue.consume(async (destination) => {
      const running = (active.get(destination) ?? 0) + 1;
      active.set(destination, running);
      if (running > 1) overlap = true;
      runs.push({ destination, at: Date.now() });
      await hold;
      active.set(destination, (active.get(destination) ?? 1) - 1);
    });
  });
  afterAll(() => queue.close());
  beforeEach(() => {
    runs.length = 0;
    active = new Map();
    overlap = false;
    hold = Promise.resolve();
  });

  const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2)}.example`;

  it('runs a scheduled destination', async () => {
    const destination = unique('now');
    await queue.schedule(destination);
    await eventually(
      () => Promise.resolve(runs.some((r) => r.destination === destination) ? true : undefined),
      'the run',
      5000,
    );
  });

  it('runs a destination once for several schedules while it waits', async () => {
    const destination = unique('dedupe');
    await Promise.all([
      queue.schedule(destination, 300),
      queue.schedule(destination, 300),
      queue.schedule(destination, 300),
    ]);
    await eventually(
      () => Promise.resolve(runs.some((r) => r.destination === destination) ? true : undefined),
      'the run',
      5000,
    );
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(runs.filter((r) => r.destination === destination)).toHaveLength(1);
  });

  it('never runs one destination twice at once, and runs it again when scheduled during a run', async () => {
    const destination = unique('busy');
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    await queue.schedule(destination);
    await eventually(
      () => Promise.resolve(runs.some((r) => r.destination === destination) ? true : undefined),
      'the first run',
      5000,
    );
    await queue.schedule(destination);
    await queue.schedule(destination);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs.filter((r) => r.destination === destination)).toHaveLength(1);
    hold = Promise.resolve();
    release();
    await eventually(
      () => Promise.resolve(runs.filter((r) => r.destination === destination).length >= 2 ? true : undefined),
      'the second run',
      5000,
    );
    expect(overlap).toBe(false);
  });

  it('waits for a delay, and runs different destinations side by side', async () => {
    const late = unique('late');
    const scheduledAt = Date.now();
    await queue.schedule(late, 800);
    const others = [unique('a'), unique('b'), unique('c')];
    await Promise.all(others.map((d) => queue.schedule(d)));
    await eventually(
      () => Promise.resolve(others.every((d) => runs.some((r) => r.destination === d)) ? true : undefined),
      'the others',
      5000,
    );
    expect(runs.some((r) => r.destination === late)).toBe(false);
    const run = await eventually(
      () => Promise.resolve(runs.find((r) => r.destination === late)),
      'the delayed run',
      5000,
    );
    expect(run.at - scheduledAt).toBeGreaterThanOrEqual(700);
  });
});
