import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { PostgresNotifications } from '@hearth/storage';
import { TEST_REDIS_URL } from '@hearth/testing';
import { RedisSyncNotifier } from './redis-sync-notifier';
import { roomKey, userKey } from './sync-notifier';

/**
 * The notifier across processes, on real Redis: two notifiers stand for two Hearth processes, on
 * a channel of their own so that servers of other test files on the same Redis cannot count.
 */
describe('RedisSyncNotifier', () => {
  const channel = `hearth:sync:notify:spec-${randomUUID()}`;
  let first: RedisSyncNotifier;
  let second: RedisSyncNotifier;
  let raw: Redis;
  let alice: string;
  let lobby: string;

  beforeAll(async () => {
    // The PostgreSQL fallback (for while Redis is away) is not what these cover: an embedded
    // endpoint listens to nothing, and with Redis up nothing is sent that way.
    const noFallback = () => new PostgresNotifications({ url: 'postgres://127.0.0.1:1/none', embedded: true });
    first = new RedisSyncNotifier(TEST_REDIS_URL, noFallback(), channel);
    second = new RedisSyncNotifier(TEST_REDIS_URL, noFallback(), channel);
    raw = new Redis(TEST_REDIS_URL);
    await Promise.all([first.start(), second.start()]);
  });

  afterAll(async () => {
    first?.onModuleDestroy();
    second?.onModuleDestroy();
    await raw?.quit();
  });

  beforeEach(() => {
    alice = userKey(`@alice-${randomUUID()}:hearth.test`);
    lobby = roomKey(`!lobby-${randomUUID()}:hearth.test`);
  });

  it('wakes a request waiting in another process', async () => {
    const waiting = second.wait([alice], second.mark(), 10_000);
    first.notify([alice]);
    await expect(waiting).resolves.toBe(true);
  });

  it('wakes a request in its own process at once, without waiting for Redis', async () => {
    const mark = first.mark();
    first.notify([lobby]);
    // Answered from memory: true before any message could have come back through Redis.
    await expect(first.wait([lobby], mark, 0)).resolves.toBe(true);
  });

  it('does not hear its own notifications back through Redis', async () => {
    const before = first.mark();
    const heard = second.wait([alice], second.mark(), 10_000);
    first.notify([alice]);
    await expect(heard).resolves.toBe(true);
    // Redis delivers one channel's messages in order: an echo of the first notification would
    // reach `first` before this one.
    const back = first.wait([lobby], first.mark(), 10_000);
    second.notify([lobby]);
    await expect(back).resolves.toBe(true);
    expect(first.mark()).toBe(before + 2);
  });

  it('ignores malformed messages on the channel and keeps only the string keys of one', async () => {
    const before = second.mark();
    const waiting = second.wait([alice, lobby], before, 10_000);
    await raw.publish(channel, 'not json');
    await raw.publish(channel, JSON.stringify({ origin: 'elsewhere', body: { keys: 'not a list' } }));
    await raw.publish(channel, JSON.stringify({ origin: 'elsewhere', body: null }));
    await raw.publish(channel, JSON.stringify({ origin: 'elsewhere', body: { keys: [7, lobby] } }));
    await expect(waiting).resolves.toBe(true);
    await expect(second.wait([lobby], before, 0)).resolves.toBe(true);
    await expect(second.wait([alice], before, 0)).resolves.toBe(false);
  });
});
