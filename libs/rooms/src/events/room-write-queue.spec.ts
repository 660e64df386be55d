import type { EntityManager } from 'typeorm';
import type { TransactionRunner } from '@hearth/storage';
import { RoomWriteQueue } from './room-write-queue';

/** A transaction runner that records when work starts and lets the test decide when it ends. */
function recordingRunner() {
  const log: string[] = [];
  const finish = new Map<string, () => void>();
  const runner = {
    run: async <T>(work: (em: EntityManager) => Promise<T>): Promise<T> => work({} as EntityManager),
  } as unknown as TransactionRunner;
  const step =
    (name: string, outcome: 'ok' | 'fail' = 'ok') =>
    async () => {
      log.push(`start ${name}`);
      await new Promise<void>((resolve) => finish.set(name, resolve));
      log.push(`end ${name}`);
      if (outcome === 'fail') throw new Error(`${name} failed`);
      return name;
    };
  return { log, runner, step, end: (name: string) => finish.get(name)?.() };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('RoomWriteQueue', () => {
  it('runs one write per room at a time, in arrival order, and rooms side by side', async () => {
    const { log, runner, step, end } = recordingRunner();
    const queue = new RoomWriteQueue(runner);
    const first = queue.transaction('!a:x', step('a1'));
    const second = queue.transaction('!a:x', step('a2'));
    const other = queue.transaction('!b:x', step('b1'));
    await settle();
    expect(log).toEqual(['start a1', 'start b1']);
    end('a1');
    await settle();
    expect(log).toEqual(['start a1', 'start b1', 'end a1', 'start a2']);
    end('a2');
    end('b1');
    await expect(Promise.all([first, second, other])).resolves.toEqual(['a1', 'a2', 'b1']);
  });

  it('lets the next write run after one fails, and gives the failure to its own caller only', async () => {
    const { log, runner, step, end } = recordingRunner();
    const queue = new RoomWriteQueue(runner);
    const failing = queue.transaction('!a:x', step('a1', 'fail'));
    const next = queue.transaction('!a:x', step('a2'));
    await settle();
    end('a1');
    await expect(failing).rejects.toThrow('a1 failed');
    await settle();
    end('a2');
    await expect(next).resolves.toBe('a2');
    expect(log).toEqual(['start a1', 'end a1', 'start a2', 'end a2']);
  });
});
