import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { buildConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { PostgresNotifications, TransactionRunner } from '@hearth/storage';
import { eventually, openMigratedDatabase, type MigratedDatabase } from '@hearth/testing';
import { DeviceEntity } from '../devices/device.entity';
import { UserEntity } from '../users/user.entity';
import { AccessTokenCache } from './access-token-cache';
import { AccessTokenEntity } from './access-token.entity';
import { RefreshTokenEntity } from './refresh-token.entity';
import { hashToken } from './token-format';
import { TokenRepository } from './token.repository';
import { TokensService, type IssuedTokens } from './tokens.service';

const LIFETIME_MS = 5 * 60 * 1000;
const T0 = 1_800_000_000_000;

/**
 * Access and refresh tokens on real PostgreSQL, with the process's token cache listening as in
 * production: issue, authenticate, rotate, expire, and every way a token stops working.
 */
describe('TokensService', () => {
  let db: MigratedDatabase;
  let tx: TransactionRunner;
  let notifications: PostgresNotifications;
  let cache: AccessTokenCache;
  let repository: TokenRepository;
  let tokens: TokensService;
  let operator: Client;
  let counter = 0;
  let userId: string;
  let reads: jest.SpyInstance;

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    db = await openMigratedDatabase([UserEntity, DeviceEntity, AccessTokenEntity, RefreshTokenEntity]);
    tx = new TransactionRunner(db.dataSource);
    notifications = new PostgresNotifications({ url: db.url, embedded: false });
    cache = new AccessTokenCache(notifications, tx);
    cache.onModuleInit();
    repository = new TokenRepository(db.dataSource, cache);
    reads = jest.spyOn(repository, 'findAccessTokenOwner');
    const config = buildConfig({ server_name: 'hearth.test', refreshable_access_token_lifetime_minutes: 5 });
    tokens = new TokensService(config, repository, tx, cache);
    operator = new Client({ connectionString: db.url });
    await operator.connect();
    await eventually(() => Promise.resolve(cache.isListening || undefined), 'the token cache to listen');
  });

  afterAll(async () => {
    await operator?.end();
    await cache?.onModuleDestroy();
    await notifications?.onApplicationShutdown();
    await db?.close();
    jest.restoreAllMocks();
  });

  beforeEach(async () => {
    userId = `@user${++counter}:hearth.test`;
    await operator.query('INSERT INTO users (user_id, localpart, created_ts) VALUES ($1, $2, 0)', [
      userId,
      `user${counter}`,
    ]);
    await addDevice('PHONE');
  });

  afterEach(() => jest.clearAllMocks());

  const addDevice = (deviceId: string) =>
    operator.query('INSERT INTO devices (user_id, device_id, created_ts) VALUES ($1, $2, 0)', [userId, deviceId]);
  const issue = (refreshable: boolean, now = T0, deviceId = 'PHONE') =>
    tx.run((em) => tokens.issue(userId, deviceId, refreshable, em, now));
  const rejection = (work: Promise<unknown>) =>
    work.then(
      () => {
        throw new Error('expected a MatrixError');
      },
      (error: unknown) => {
        if (!(error instanceof MatrixError)) throw error;
        return { status: error.status, ...error.toBody() };
      },
    );
  /** The refusal, or undefined while the token still works (to poll for a change heard by notification). */
  const refusal = (work: Promise<unknown>) => rejection(work).catch(() => undefined);
  /** Authenticates until a lookup is answered from memory. */
  const untilCached = (accessToken: string) =>
    eventually(async () => {
      const before = reads.mock.calls.length;
      await tokens.authenticate(accessToken, T0);
      return reads.mock.calls.length === before || undefined;
    }, 'the token to be kept in memory');
  const unknownToken = { status: 401, errcode: 'M_UNKNOWN_TOKEN', soft_logout: false };
  const expired = { status: 401, errcode: 'M_UNKNOWN_TOKEN', soft_logout: true };

  describe('issue', () => {
    it('gives a client that did not ask for refresh a lasting access token, and no refresh token', async () => {
      const issued = await issue(false);
      expect(Object.keys(issued)).toEqual(['access_token']);
      expect(issued.access_token).toMatch(/^hat_[A-Za-z0-9_-]{43}$/);
      const who = await tokens.authenticate(issued.access_token, T0 + 10 * 365 * 24 * 3600 * 1000);
      expect(who).toEqual({ userId, deviceId: 'PHONE', isAdmin: false, accessTokenId: expect.any(Number) });
    });

    it('gives a client that asked for refresh an access token that expires, a refresh token and expires_in_ms', async () => {
      const issued = await issue(true);
      expect(issued).toEqual({
        access_token: expect.stringMatching(/^hat_/),
        refresh_token: expect.stringMatching(/^hrt_[A-Za-z0-9_-]{43}$/),
        expires_in_ms: LIFETIME_MS,
      });
    });

    it('stores only the SHA-256 of each token: no column holds the token itself', async () => {
      const issued = await issue(true);
      const access = await operator.query('SELECT token_hash FROM access_tokens WHERE user_id = $1', [userId]);
      const refresh = await operator.query('SELECT token_hash FROM refresh_tokens WHERE user_id = $1', [userId]);
      expect(access.rows).toEqual([{ token_hash: hashToken(issued.access_token) }]);
      expect(refresh.rows).toEqual([{ token_hash: hashToken(issued.refresh_token!) }]);
      const stored = [
        { table: 'access_tokens', secret: issued.access_token },
        { table: 'refresh_tokens', secret: issued.refresh_token! },
      ];
      for (const { table, secret } of stored) {
        // Neither as text nor as bytes (bytea shows as hex in a row's text).
        const leaks = await operator.query(
          `SELECT 1 FROM ${table} t
            WHERE strpos(t::text, $1) > 0 OR strpos(t::text, encode(convert_to($1, 'UTF8'), 'hex')) > 0`,
          [secret.slice(4)],
        );
        expect(leaks.rowCount).toBe(0);
      }
    });

    it('issues nothing when the transaction it was issued in rolls back', async () => {
      let issued: IssuedTokens | undefined;
      await expect(
        tx.run(async (em) => {
          issued = await tokens.issue(userId, 'PHONE', false, em, T0);
          throw new Error('registration failed later');
        }),
      ).rejects.toThrow('registration failed later');
      expect(await rejection(tokens.authenticate(issued!.access_token, T0))).toMatchObject(unknownToken);
    });
  });

  describe('authenticate', () => {
    it('refuses an unknown token with M_UNKNOWN_TOKEN, soft_logout false', async () => {
      expect(await rejection(tokens.authenticate('hat_not-a-token', T0))).toMatchObject(unknownToken);
    });

    it('refuses an expired access token with M_UNKNOWN_TOKEN and soft_logout true, from the millisecond it expires', async () => {
      const stillValid = await issue(true);
      await expect(tokens.authenticate(stillValid.access_token, T0 + LIFETIME_MS - 1)).resolves.toMatchObject({
        userId,
      });
      const lapsing = await issue(true);
      expect(await rejection(tokens.authenticate(lapsing.access_token, T0 + LIFETIME_MS))).toMatchObject(expired);
      // Even once it has been kept in the cache.
      expect(await rejection(tokens.authenticate(stillValid.access_token, T0 + LIFETIME_MS))).toMatchObject(expired);
    });

    it('refuses the tokens of a deactivated account as unknown (not soft-logged-out)', async () => {
      const issued = await issue(false);
      await operator.query('UPDATE users SET deactivated_ts = 1 WHERE user_id = $1', [userId]);
      const refused = await eventually(
        () => refusal(tokens.authenticate(issued.access_token, T0)),
        'the deactivation to be heard',
      );
      expect(refused).toMatchObject(unknownToken);
    });

    it('answers from memory after the first lookup while the cache listens', async () => {
      const issued = await issue(false);
      await tokens.authenticate(issued.access_token, T0);
      await tokens.authenticate(issued.access_token, T0);
      await tokens.authenticate(issued.access_token, T0);
      expect(reads).toHaveBeenCalledTimes(1);
    });
  });

  describe('refresh (rotation)', () => {
    it('issues a new pair; the old refresh token works until the new access token is first used, then never again', async () => {
      const first = await issue(true);
      const second = await tokens.refresh(first.refresh_token!, T0 + 1_000);
      expect(second).toEqual({
        access_token: expect.stringMatching(/^hat_/),
        refresh_token: expect.stringMatching(/^hrt_/),
        expires_in_ms: LIFETIME_MS,
      });
      expect(second.access_token).not.toBe(first.access_token);
      expect(second.refresh_token).not.toBe(first.refresh_token);

      // The reply was lost: the client refreshes with the old token again and gets another pair;
      // the pair it never received goes.
      const third = await tokens.refresh(first.refresh_token!, T0 + 2_000);
      expect(await rejection(tokens.authenticate(second.access_token, T0 + 2_000))).toMatchObject(unknownToken);
      expect(await rejection(tokens.refresh(second.refresh_token!, T0 + 2_000))).toMatchObject(unknownToken);
      // The old access token still works meanwhile.
      await expect(tokens.authenticate(first.access_token, T0 + 2_000)).resolves.toMatchObject({ userId });

      // First use of the new access token retires the old refresh token and the access token it issued.
      const who = await tokens.authenticate(third.access_token, T0 + 3_000);
      expect(who).toMatchObject({ userId, deviceId: 'PHONE' });
      expect(await rejection(tokens.refresh(first.refresh_token!, T0 + 3_000))).toMatchObject(unknownToken);
      expect(await rejection(tokens.authenticate(first.access_token, T0 + 3_000))).toMatchObject(unknownToken);

      // The new refresh token carries on.
      const fourth = await tokens.refresh(third.refresh_token!, T0 + 4_000);
      await expect(tokens.authenticate(fourth.access_token, T0 + 4_000)).resolves.toMatchObject({ userId });
    });

    it('gives the new access token a fresh lifetime from the refresh', async () => {
      const first = await issue(true);
      const later = T0 + LIFETIME_MS + 60_000;
      expect(await rejection(tokens.authenticate(first.access_token, later))).toMatchObject(expired);
      const second = await tokens.refresh(first.refresh_token!, later);
      await expect(tokens.authenticate(second.access_token, later + LIFETIME_MS - 1)).resolves.toMatchObject({
        userId,
      });
    });

    it('refuses an unknown refresh token, an access token passed as one, and an expired one', async () => {
      const issued = await issue(true);
      expect(await rejection(tokens.refresh('hrt_nothing', T0))).toMatchObject(unknownToken);
      expect(await rejection(tokens.refresh(issued.access_token, T0))).toMatchObject(unknownToken);
      // Hearth issues refresh tokens without an expiry; one given an expiry (by SQL here) lapses at it.
      await operator.query('UPDATE refresh_tokens SET expires_ts = $2 WHERE token_hash = $1', [
        hashToken(issued.refresh_token!),
        T0 + 10,
      ]);
      await expect(tokens.refresh(issued.refresh_token!, T0 + 9)).resolves.toBeDefined();
      expect(await rejection(tokens.refresh(issued.refresh_token!, T0 + 10))).toMatchObject(unknownToken);
    });

    it('forgets a cached access token as soon as a newer pair’s first use retires it', async () => {
      const first = await issue(true);
      // Its first use marks it used, which is not kept until the change it made has been heard.
      await untilCached(first.access_token);
      const second = await tokens.refresh(first.refresh_token!, T0 + 1_000);
      await tokens.authenticate(second.access_token, T0 + 1_000);
      expect(await rejection(tokens.authenticate(first.access_token, T0 + 1_000))).toMatchObject(unknownToken);
    });
  });

  describe('revocation', () => {
    it('logout: the token is refused at once, though it was cached', async () => {
      const issued = await issue(false);
      const who = await tokens.authenticate(issued.access_token, T0);
      await untilCached(issued.access_token);
      await tokens.revokeAccessToken(who.accessTokenId);
      expect(await rejection(tokens.authenticate(issued.access_token, T0))).toMatchObject(unknownToken);
    });

    it('device removal: its access and refresh tokens go once the transaction commits; other devices keep theirs', async () => {
      await addDevice('LAPTOP');
      const phone = await issue(true, T0, 'PHONE');
      const laptop = await issue(false, T0, 'LAPTOP');
      await untilCached(phone.access_token);
      await untilCached(laptop.access_token);
      await tx.run(async (em) => {
        await tokens.revokeDevice(userId, 'PHONE', em);
        await em.query('DELETE FROM devices WHERE user_id = $1 AND device_id = $2', [userId, 'PHONE']);
      });
      expect(await rejection(tokens.authenticate(phone.access_token, T0))).toMatchObject(unknownToken);
      expect(await rejection(tokens.refresh(phone.refresh_token!, T0))).toMatchObject(unknownToken);
      await expect(tokens.authenticate(laptop.access_token, T0)).resolves.toMatchObject({ deviceId: 'LAPTOP' });
    });

    it('device removal that rolls back leaves the tokens working', async () => {
      const issued = await issue(false);
      await expect(
        tx.run(async (em) => {
          await tokens.revokeDevice(userId, 'PHONE', em);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      await expect(tokens.authenticate(issued.access_token, T0)).resolves.toMatchObject({ deviceId: 'PHONE' });
    });

    it('an operator’s SQL (a token deleted, a user made admin) reaches the cache through the triggers', async () => {
      const gone = await issue(false);
      const kept = await issue(false);
      await untilCached(gone.access_token);
      await untilCached(kept.access_token);
      await operator.query('DELETE FROM access_tokens WHERE token_hash = $1', [hashToken(gone.access_token)]);
      const refused = await eventually(
        () => refusal(tokens.authenticate(gone.access_token, T0)),
        'the deleted token to be refused',
      );
      expect(refused).toMatchObject(unknownToken);
      await operator.query('UPDATE users SET is_admin = TRUE WHERE user_id = $1', [userId]);
      const isAdmin = async () => (await tokens.authenticate(kept.access_token, T0)).isAdmin || undefined;
      expect(await eventually(isAdmin, 'the new admin flag')).toBe(true);
    });
  });
});
