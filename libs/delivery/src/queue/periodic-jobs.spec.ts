import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { TEST_REDIS_URL } from '@hearth/testing';
import { BullMqPeriodicJobs } from './bullmq-periodic-jobs';
import { InProcessPeriodicJobs } from './in-process-periodic-jobs';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('periodic jobs', () => {
  it('BullMQ: two processes scheduling the same job run it once per interval between them', async () => {
    const name = `hearth-periodic-test-${randomBytes(4).toString('hex')}`;
    const processes = [new BullMqPeriodicJobs(TEST_REDIS_URL, name), new BullMqPeriodicJobs(TEST_REDIS_URL, name)];
    const runs: number[] = [];
    try {
      await Promise.all(
        processes.map((jobs, i) =>
          jobs.every({
            name: 'purge',
            intervalMs: 300,
            run: () => {
              runs.push(i);
              return Promise.resolve();
            },
          }),
        ),
      );
      await sleep(2_000);
    } finally {
      await Promise.all(processes.map((jobs) => jobs.close()));
      // The schedule outlives its processes in Redis, as it should in production; not a test's.
      const queue = new Queue(name, { connection: { url: TEST_REDIS_URL } });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    // About 2000 / 300 runs in all; twice that would mean each process kept its own schedule.
    expect(runs.length).toBeGreaterThanOrEqual(4);
    expect(runs.length).toBeLessThanOrEqual(8);
  });

  it('in process: runs the job every interval and never overlaps a run still going', async () => {
    const jobs = new InProcessPeriodicJobs();
    let running = 0;
    let overlapped = false;
    let runs = 0;
    await jobs.every({
      name: 'slow',
      intervalMs: 50,
      run: async () => {
        runs++;
        overlapped ||= running > 0;
        running++;
        await sleep(120);
        running--;
      },
    });
    await sleep(600);
    await jobs.close();
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(overlapped).toBe(false);
  });
});
