import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { PostgresNotifications, TransactionRunner } from '@hearth/storage';
import { eventually, openMigratedDatabase, type MigratedDatabase } from '@hearth/testing';
import { AccessTokenCache } from './access-token-cache';
import { hashToken } from './token-format';
import type { AccessTokenOwner } from './token.repository';

const TEN_MINUTES = 10 * 60 * 1000;

/**
 * AccessTokenCache with a real LISTEN connection: what it keeps, and what makes it forget. The
 * database read it saves is a counting stand-in here (tokens.service.spec.ts has the real one),
 * so "kept" means "a second lookup did not read".
 */
describe('AccessTokenCache', () => {
  let db: MigratedDatabase;
  let tx: TransactionRunner;
  let notifications: PostgresNotifications;
  let cache: AccessTokenCache;
  let notifier: Client;
  let counter = 0;

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    db = await openMigratedDatabase();
    tx = new TransactionRunner(db.dataSource);
    notifier = new Client({ connectionString: db.url });
    await notifier.connect();
  });

  afterAll(async () => {
    await notifier?.end();
    await db?.close();
    jest.restoreAllMocks();
  });

  beforeEach(async () => {
    notifications = new PostgresNotifications({ url: db.url, embedded: false });
    cache = new AccessTokenCache(notifications, tx);
    cache.onModuleInit();
    await eventually(() => Promise.resolve(cache.isListening || undefined), 'the cache to listen');
  });

  afterEach(async () => {
    await cache.onModuleDestroy();
    await notifications.onApplicationShutdown();
  });

  /** A token of its own for each call, and a reader that counts how often the database is asked. */
  function token(fields: Partial<AccessTokenOwner> = {}) {
    const n = ++counter;
    const owner: AccessTokenOwner = {
      tokenId: n,
      userId: `@user${n}:hearth.test`,
      deviceId: `DEVICE${n}`,
      expiresTs: null,
      used: false,
      refreshTokenId: null,
      isAdmin: false,
      deactivated: false,
      ...fields,
    };
    const hash = hashToken(`hat_token${n}`);
    const read = jest.fn(() => Promise.resolve<AccessTokenOwner | undefined>(owner));
    const lookup = (now?: number) => cache.lookup(hash, read, now);
    return { owner, hash, read, lookup };
  }

  const notify = (payload: string) => notifier.query("SELECT pg_notify('hearth_access_tokens', $1)", [payload]);
  /** Looks the token up until the database is asked again: the notification has been heard. */
  const untilReadAgain = (t: ReturnType<typeof token>, what: string) => {
    const before = t.read.mock.calls.length;
    return eventually(async () => {
      await t.lookup();
      return t.read.mock.calls.length > before || undefined;
    }, what);
  };

  describe('what it keeps', () => {
    it('keeps an owner it read while listening: the next lookup does not read', async () => {
      const t = token();
      expect(await t.lookup()).toBe(t.owner);
      expect(await t.lookup()).toBe(t.owner);
      expect(t.read).toHaveBeenCalledTimes(1);
    });

    it('keeps nothing while not listening (the embedded database, or a pooler that drops NOTIFY)', async () => {
      const deaf = new AccessTokenCache(new PostgresNotifications({ url: db.url, embedded: true }), tx);
      deaf.onModuleInit();
      expect(deaf.isListening).toBe(false);
      const t = token();
      await deaf.lookup(t.hash, t.read);
      await deaf.lookup(t.hash, t.read);
      expect(t.read).toHaveBeenCalledTimes(2);
      await deaf.onModuleDestroy();
    });

    it('does not keep an unknown token', async () => {
      const t = token();
      t.read.mockResolvedValue(undefined);
      expect(await t.lookup()).toBeUndefined();
      expect(await t.lookup()).toBeUndefined();
      expect(t.read).toHaveBeenCalledTimes(2);
    });

    it('does not keep a refreshed token before its first use has retired its predecessor', async () => {
      const fresh = token({ refreshTokenId: 7, used: false });
      await fresh.lookup();
      await fresh.lookup();
      expect(fresh.read).toHaveBeenCalledTimes(2);

      const used = token({ refreshTokenId: 7, used: true });
      await used.lookup();
      await used.lookup();
      expect(used.read).toHaveBeenCalledTimes(1);
    });

    it('reads again once an entry is ten minutes old, whatever it heard', async () => {
      const t = token();
      await t.lookup(1_000_000);
      await t.lookup(1_000_000 + TEN_MINUTES - 1);
      expect(t.read).toHaveBeenCalledTimes(1);
      await t.lookup(1_000_000 + TEN_MINUTES);
      expect(t.read).toHaveBeenCalledTimes(2);
    });

    it('does not keep a lookup that overlapped a change', async () => {
      const t = token();
      t.read.mockImplementationOnce(() => {
        // Someone else's logout while the read is on its way: what was read may be stale.
        cache.forgetWhenCommitted(db.dataSource.manager, { userId: '@someone-else:hearth.test' });
        return Promise.resolve(t.owner);
      });
      await t.lookup();
      await t.lookup();
      expect(t.read).toHaveBeenCalledTimes(2);
      await t.lookup();
      expect(t.read).toHaveBeenCalledTimes(2);
    });

    it('does not keep a lookup that overlapped a notification', async () => {
      const witness = token();
      await witness.lookup();
      const t = token();
      t.read.mockImplementationOnce(async () => {
        await notify(`u:${witness.owner.userId}`);
        // Heard once the witness has been forgotten.
        await untilReadAgain(witness, 'the notification');
        return t.owner;
      });
      await t.lookup();
      await t.lookup();
      expect(t.read).toHaveBeenCalledTimes(2);
    });

    it('holds at most 50,000 owners, dropping the oldest stored first', async () => {
      const first = token();
      const second = token();
      await first.lookup();
      await second.lookup();
      const owner = token().owner;
      const read = () => Promise.resolve(owner);
      for (let i = 2; i < 50_000; i++) await cache.lookup(hashToken(`filler-${i}`), read);
      // Full: one more entry pushes out the oldest, and only that one.
      await cache.lookup(hashToken('one-too-many'), read);
      await second.lookup();
      expect(second.read).toHaveBeenCalledTimes(1);
      await first.lookup();
      expect(first.read).toHaveBeenCalledTimes(2);
    });
  });

  describe('what makes it forget', () => {
    it('forgets one token on a t:<hash> notification (the access_tokens trigger), and only that one', async () => {
      const gone = token();
      const kept = token();
      await gone.lookup();
      await kept.lookup();
      await notify(`t:${gone.hash.toString('hex')}`);
      await untilReadAgain(gone, 'the token to be forgotten');
      await kept.lookup();
      expect(kept.read).toHaveBeenCalledTimes(1);
    });

    it('forgets every token of a user on a u:<user ID> notification (the users trigger), and no one else’s', async () => {
      const userId = '@deactivated:hearth.test';
      const phone = token({ userId });
      const laptop = token({ userId });
      const other = token();
      for (const t of [phone, laptop, other]) await t.lookup();
      await notify(`u:${userId}`);
      await untilReadAgain(phone, 'the user’s tokens to be forgotten');
      await laptop.lookup();
      await other.lookup();
      expect(laptop.read).toHaveBeenCalledTimes(2);
      expect(other.read).toHaveBeenCalledTimes(1);
    });

    it('forgets everything on a notification it does not understand', async () => {
      const a = token();
      const b = token();
      await a.lookup();
      await b.lookup();
      await notify('something new');
      await untilReadAgain(a, 'everything to be forgotten');
      await b.lookup();
      expect(b.read).toHaveBeenCalledTimes(2);
    });

    it('forgetWhenCommitted forgets at once and again after the commit, so a lookup made meanwhile is not kept', async () => {
      const t = token({ refreshTokenId: null });
      await t.lookup();
      await tx.run(async (em) => {
        cache.forgetWhenCommitted(em, { tokenId: t.owner.tokenId });
        // A request that comes in before the commit reads the old row, still committed...
        await t.lookup();
        expect(t.read).toHaveBeenCalledTimes(2);
      });
      // ...and what it stored goes once the change has committed.
      await t.lookup();
      expect(t.read).toHaveBeenCalledTimes(3);
    });

    it('forgetWhenCommitted matches by user, by token or by the refresh token that issued it', async () => {
      const byUser = token();
      const byToken = token();
      const byRefresh = token({ refreshTokenId: 42, used: true });
      const untouched = token({ refreshTokenId: 43, used: true });
      const all = [byUser, byToken, byRefresh, untouched];
      for (const t of all) await t.lookup();
      cache.forgetWhenCommitted(db.dataSource.manager, { userId: byUser.owner.userId });
      cache.forgetWhenCommitted(db.dataSource.manager, { tokenId: byToken.owner.tokenId });
      cache.forgetWhenCommitted(db.dataSource.manager, { refreshTokenId: 42 });
      for (const t of all) await t.lookup();
      expect(all.map((t) => t.read.mock.calls.length)).toEqual([2, 2, 2, 1]);
    });

    it('forgets everything and keeps nothing once the listening connection is lost, until a new one is live', async () => {
      const t = token();
      await t.lookup();
      // The listening connection is the one in this database that is idle after its probe.
      await notifier.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%pg_notify%'`,
      );
      await eventually(() => Promise.resolve(!cache.isListening || undefined), 'the cache to notice the loss');
      await t.lookup();
      await t.lookup();
      expect(t.read).toHaveBeenCalledTimes(3);
      // A new connection goes live after its own probe; then lookups are kept again.
      await eventually(() => Promise.resolve(cache.isListening || undefined), 'the cache to listen again');
      await t.lookup();
      await t.lookup();
      expect(t.read).toHaveBeenCalledTimes(4);
    });

    // Bug: onModuleDestroy closes the LISTEN connection without reporting live(false) (the
    // connection's 'end' is ignored once close() has dropped it), so the cache still counts as
    // listening and keeps serving and storing owners while no change can reach it, e.g. during
    // shutdown while requests are still answered.
    it('keeps nothing once it has stopped listening (onModuleDestroy)', async () => {
      const t = token();
      await t.lookup();
      await cache.onModuleDestroy();
      await t.lookup();
      expect(cache.isListening).toBe(false);
      expect(t.read).toHaveBeenCalledTimes(2);
    });
  });
});
