import { readFile } from 'node:fs';
import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { ChangeBus, type Change } from './change-bus';
import { TransactionRunner } from './transaction-runner';

/** A DataSource whose transactions only flip a flag: enough for TransactionRunner's commit hooks. */
function fakeDataSource(): DataSource {
  return {
    createQueryRunner: () => {
      const runner = {
        manager: {} as EntityManager,
        isTransactionActive: false,
        startTransaction: () => Promise.resolve(void (runner.isTransactionActive = true)),
        commitTransaction: () => Promise.resolve(void (runner.isTransactionActive = false)),
        rollbackTransaction: () => Promise.resolve(void (runner.isTransactionActive = false)),
        release: () => Promise.resolve(),
        query: () => Promise.resolve([]),
      };
      return runner;
    },
  } as unknown as DataSource;
}

const typing = (roomId: string): Change<'typing'> => ({
  stream: 'typing',
  roomIds: [roomId],
  userIds: [],
  typing: { roomId, userId: '@ana:x', typing: true },
  source: 'request',
});
const events = (roomId: string): Change<'events'> => ({ stream: 'events', roomIds: [roomId], userIds: [] });

describe('ChangeBus', () => {
  let tx: TransactionRunner;
  let bus: ChangeBus;
  let logged: jest.SpyInstance;

  beforeEach(() => {
    tx = new TransactionRunner(fakeDataSource());
    bus = new ChangeBus(tx);
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => logged.mockRestore());

  it('delivers changes in the order published, to subscribers in subscription order, only for their streams', () => {
    const heard: string[] = [];
    bus.subscribe(['events'], 'first', (change) => void heard.push(`first ${change.roomIds.join()}`));
    bus.subscribe(['events', 'typing'], 'second', (change) => {
      heard.push(`second ${change.stream} ${change.roomIds.join()}`);
    });
    bus.subscribe(['receipts'], 'other', () => void heard.push('wrong stream'));
    bus.publish(events('!a'));
    bus.publish(typing('!b'));
    bus.publish(events('!c'));
    expect(heard).toEqual(['first !a', 'second events !a', 'second typing !b', 'first !c', 'second events !c']);
  });

  it('delivers a change published by a subscriber after the one being delivered, to everyone in the same order', () => {
    const heard: string[] = [];
    bus.subscribe(['events'], 'republisher', (change) => {
      heard.push(`republisher ${change.roomIds.join()}`);
      if (change.roomIds[0] === '!a') bus.publish(events('!nested'));
    });
    bus.subscribe(['events'], 'listener', (change) => void heard.push(`listener ${change.roomIds.join()}`));
    bus.publish(events('!a'));
    expect(heard).toEqual(['republisher !a', 'listener !a', 'republisher !nested', 'listener !nested']);
  });

  it('announces a change made in a transaction only once it has committed', async () => {
    const heard: string[] = [];
    bus.subscribe(['events'], 'listener', (change) => void heard.push(change.roomIds.join()));
    await tx.run(async (em) => {
      bus.publishAfterCommit(em, events('!a'));
      await Promise.resolve();
      expect(heard).toEqual([]);
    });
    expect(heard).toEqual(['!a']);
  });

  it('announces nothing for a transaction that rolled back', async () => {
    const heard: string[] = [];
    bus.subscribe(['events'], 'listener', (change) => void heard.push(change.roomIds.join()));
    await expect(
      tx.run((em) => {
        bus.publishAfterCommit(em, events('!a'));
        return Promise.reject(new Error('conflict'));
      }),
    ).rejects.toThrow('conflict');
    expect(heard).toEqual([]);
  });

  it('refuses to defer a change outside a transaction, where it could never commit later', () => {
    expect(() => bus.publishAfterCommit({} as EntityManager, events('!a'))).toThrow('Not inside a transaction');
  });

  it('logs a subscriber that throws or rejects, and still tells the others; the publisher sees nothing', async () => {
    const heard: string[] = [];
    bus.subscribe(['events'], 'thrower', () => {
      throw new Error('boom');
    });
    bus.subscribe(['events'], 'rejecter', () => Promise.reject(new Error('later boom')));
    bus.subscribe(['events'], 'listener', (change) => void heard.push(change.roomIds.join()));
    await tx.run((em) => Promise.resolve(bus.publishAfterCommit(em, events('!a'))));
    bus.publish(events('!b'));
    expect(heard).toEqual(['!a', '!b']);
    await new Promise((resolve) => setImmediate(resolve));
    const messages = logged.mock.calls.map(([message]) => String(message));
    const count = (prefix: string) => messages.filter((m) => m.startsWith(prefix)).length;
    expect(count('thrower failed on a change to events: Error: boom')).toBe(2);
    expect(count('rejecter failed on a change to events: Error: later boom')).toBe(2);
  });

  it('stops delivering to a subscription once it is ended', () => {
    const heard: string[] = [];
    const end = bus.subscribe(['events', 'typing'], 'listener', (change) => void heard.push(change.stream));
    bus.publish(events('!a'));
    end();
    bus.publish(events('!b'));
    bus.publish(typing('!c'));
    expect(heard).toEqual(['events']);
  });

  it('tells a background subscriber after the turn in which work woken by the change starts, in publish order', async () => {
    const heard: string[] = [];
    bus.subscribe(['events'], 'push', (change) => void heard.push(`background ${change.roomIds.join()}`), {
      background: true,
    });
    // What a woken sync does: its first read is gathered on the next turn (setImmediate).
    bus.subscribe(['events'], 'wake-ups', (change) => {
      heard.push(`woken ${change.roomIds.join()}`);
      setImmediate(() => heard.push(`first read ${change.roomIds.join()}`));
    });
    // Published from an I/O callback, as a commit's answer from the database arrives.
    await new Promise<void>((resolve) =>
      readFile(__filename, () => {
        bus.publish(events('!a'));
        bus.publish(events('!b'));
        resolve();
      }),
    );
    expect(heard).toEqual(['woken !a', 'woken !b']);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(heard).toEqual(['woken !a', 'woken !b', 'first read !a', 'first read !b', 'background !a', 'background !b']);
  });

  it('tells a background subscription ended before its turn nothing more', async () => {
    const heard: string[] = [];
    const end = bus.subscribe(['events'], 'push', () => void heard.push('heard'), { background: true });
    bus.publish(events('!a'));
    end();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(heard).toEqual([]);
  });

  it("checks each stream's payload at compile time", () => {
    const heard: string[] = [];
    bus.subscribe(['receipts'], 'listener', (change) => void heard.push(change.receipt.eventId));
    const receipt = { roomId: '!a', userId: '@ana:x', type: 'm.read', eventId: '$e', ts: 1 };
    bus.publish({ stream: 'receipts', roomIds: ['!a'], userIds: [], receipt });
    expect(heard).toEqual(['$e']);
    // Never run: typecheck fails if any of these compiles.
    const _wrong = () => {
      // @ts-expect-error a receipts change must carry its receipt
      bus.publish({ stream: 'receipts', roomIds: ['!a'], userIds: [] });
      // @ts-expect-error an events change carries no payload
      bus.publish({ stream: 'events', roomIds: ['!a'], userIds: [], receipt: {} });
      // @ts-expect-error there is no such stream
      bus.subscribe(['telepathy'], 'listener', () => undefined);
      // @ts-expect-error a typing subscriber does not hear receipts
      bus.subscribe(['typing'], 'listener', (change) => void change.receipt);
    };
  });
});
