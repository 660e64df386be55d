import { Client } from 'pg';
import { buildConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { PostgresNotifications, TransactionRunner } from '@hearth/storage';
import { openMigratedDatabase, type MigratedDatabase } from '@hearth/testing';
import { PasswordHasher } from '../passwords/password-hasher';
import { RegistrationTokenEntity } from '../registration/registration-token.entity';
import { RegistrationTokenRepository } from '../registration/registration-token.repository';
import { AccessTokenCache } from '../tokens/access-token-cache';
import { HandlePolicy } from '../users/handle-policy';
import { UserEntity } from '../users/user.entity';
import { UserRepository } from '../users/user.repository';
import { UiaSessionEntity } from './uia-session.entity';
import { UiaSessionRepository } from './uia-session.repository';
import { UIA_STAGES, type UiaFlow } from './uia-stage';
import { UiaStageVerifier } from './uia-stage-verifier';
import { UIA_SESSION_TTL_MS, UiaService, type UiaRequest, type UiaSuccess } from './uia.service';

const { dummy, registrationToken, password } = UIA_STAGES;
const REGISTER_FLOWS: UiaFlow[] = [[registrationToken], [dummy]];
const TOKEN_THEN_DUMMY: UiaFlow[] = [[registrationToken, dummy]];
const PASSWORD_FLOWS: UiaFlow[] = [[password]];
const T0 = 1_800_000_000_000;
const PASSWORD = 'correct horse battery staple';
const alice = '@alice:hearth.test';

/** Spec CS API "User-Interactive Authentication API", on real PostgreSQL. */
describe('UiaService', () => {
  let db: MigratedDatabase;
  let tx: TransactionRunner;
  let uia: UiaService;
  let sql: Client;
  let counter = 0;
  let token: string;

  beforeAll(async () => {
    db = await openMigratedDatabase([UiaSessionEntity, RegistrationTokenEntity, UserEntity]);
    tx = new TransactionRunner(db.dataSource);
    const config = buildConfig({ server_name: 'hearth.test' });
    // UserRepository wants the token cache; one that never listens keeps nothing.
    const cache = new AccessTokenCache(new PostgresNotifications({ url: db.url, embedded: true }), tx);
    const registrationTokens = new RegistrationTokenRepository(db.dataSource);
    const passwords = new PasswordHasher();
    const users = new UserRepository(db.dataSource, cache);
    const stages = new UiaStageVerifier(registrationTokens, users, passwords, new HandlePolicy(config));
    uia = new UiaService(new UiaSessionRepository(db.dataSource), registrationTokens, stages, tx);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    const addUser = async (localpart: string, secret: string) =>
      sql.query('INSERT INTO users (user_id, localpart, password_hash, created_ts) VALUES ($1, $2, $3, 0)', [
        `@${localpart}:hearth.test`,
        localpart,
        await passwords.hash(secret),
      ]);
    await addUser('alice', PASSWORD);
    await addUser('bob', 'bobs');
  });

  afterAll(async () => {
    await sql?.end();
    await db?.close();
  });

  beforeEach(async () => {
    token = `token${++counter}`;
    await sql.query('INSERT INTO registration_tokens (token, uses_allowed, created_ts) VALUES ($1, 1, 0)', [token]);
  });

  const register = (auth?: unknown): UiaRequest => ({ method: 'POST', path: '/_matrix/client/v3/register', auth });
  const deleteDevice = (auth?: unknown, userId = alice): UiaRequest => ({
    method: 'DELETE',
    path: '/_matrix/client/v3/devices/PHONE',
    auth,
    userId,
  });
  const authenticate = (request: UiaRequest, flows: readonly UiaFlow[], now = T0) =>
    uia.authenticate(request, flows, now);
  /** The error's status and body as the client gets them. */
  const answer = async (work: Promise<unknown>) => {
    try {
      await work;
    } catch (error) {
      if (error instanceof MatrixError) return { status: error.status, body: error.toBody() };
      throw error;
    }
    throw new Error('expected a MatrixError');
  };
  /** Opens a session with a first request that has no `auth`, as clients do. */
  const openSession = async (request: UiaRequest, flows: readonly UiaFlow[], now = T0) => {
    const { body } = await answer(authenticate(request, flows, now));
    return body.session as string;
  };
  /** The registration attempt's answer when it is refused. */
  const tryRegister = (auth: unknown, flows: readonly UiaFlow[], now = T0) =>
    answer(authenticate(register(auth), flows, now));
  /** The 401 body that asks for more stages. */
  const challenge = (flows: readonly UiaFlow[], session: string, completed: string[] = []) => ({
    flows: flows.map((stages) => ({ stages })),
    params: {},
    session,
    completed,
  });
  const unknownSession = {
    status: 400,
    body: { errcode: 'M_UNKNOWN', error: 'Unknown or expired authentication session' },
  };
  const pending = async () => {
    const result = await sql.query<{ pending: number }>('SELECT pending FROM registration_tokens WHERE token = $1', [
      token,
    ]);
    return result.rows[0]?.pending;
  };
  const sessionRow = async (session: string) => {
    const result = await sql.query('SELECT * FROM uia_sessions WHERE session_id = $1', [session]);
    return result.rows[0] as Record<string, unknown> | undefined;
  };

  describe('the challenge (401)', () => {
    it('answers a request without auth with flows, params, a new session and nothing completed, and no errcode', async () => {
      const { status, body } = await answer(authenticate(register(), REGISTER_FLOWS));
      expect(status).toBe(401);
      expect(body).toEqual({
        flows: [{ stages: ['m.login.registration_token'] }, { stages: ['m.login.dummy'] }],
        params: {},
        session: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/),
        completed: [],
      });
      const row = await sessionRow(body.session as string);
      expect(row).toMatchObject({ user_id: null, completed: [], created_ts: String(T0) });
    });

    it('opens a different session for every request without one', async () => {
      const sessions = await Promise.all([1, 2, 3].map(() => openSession(register(), REGISTER_FLOWS)));
      expect(new Set(sessions).size).toBe(3);
    });

    it('reads an auth that is not an object as absent', async () => {
      for (const auth of ['m.login.dummy', ['m.login.dummy'], null, 42]) {
        const { status, body } = await answer(authenticate(register(auth), REGISTER_FLOWS));
        expect(status).toBe(401);
        expect(body).toMatchObject({ completed: [], session: expect.any(String) });
        expect(body).not.toHaveProperty('errcode');
      }
    });

    it('answers a session without a stage with what it has completed so far', async () => {
      const session = await openSession(register(), TOKEN_THEN_DUMMY);
      await tryRegister({ session, type: registrationToken, token }, TOKEN_THEN_DUMMY);
      const { status, body } = await tryRegister({ session }, TOKEN_THEN_DUMMY);
      expect(status).toBe(401);
      expect(body).toEqual(challenge(TOKEN_THEN_DUMMY, session, [registrationToken]));
    });
  });

  describe('stages', () => {
    it('succeeds once every stage of one flow is completed', async () => {
      const session = await openSession(register(), REGISTER_FLOWS);
      const success = await authenticate(register({ session, type: dummy }), REGISTER_FLOWS);
      expect(success).toEqual({ sessionId: session, registrationToken: null });
    });

    it('walks a flow of two stages, reporting each completed one, and hands back the registration token used', async () => {
      const session = await openSession(register(), TOKEN_THEN_DUMMY);
      const halfway = await tryRegister({ session, type: registrationToken, token }, TOKEN_THEN_DUMMY);
      expect(halfway).toEqual({ status: 401, body: challenge(TOKEN_THEN_DUMMY, session, [registrationToken]) });
      const success = await authenticate(register({ session, type: dummy }), TOKEN_THEN_DUMMY);
      expect(success).toEqual({ sessionId: session, registrationToken: token });
    });

    it('answers a failed stage with errcode and error beside the challenge, and lets the client try again', async () => {
      const session = await openSession(register(), REGISTER_FLOWS);
      const failed = await tryRegister({ session, type: registrationToken, token: 'wrong' }, REGISTER_FLOWS);
      expect(failed).toEqual({
        status: 401,
        body: { errcode: 'M_FORBIDDEN', error: 'Invalid registration token', ...challenge(REGISTER_FLOWS, session) },
      });
      const success = await authenticate(register({ session, type: registrationToken, token }), REGISTER_FLOWS);
      expect(success).toMatchObject({ registrationToken: token });
    });

    it('answers a stage that none of the flows offers with M_INVALID_PARAM, in a 401', async () => {
      const session = await openSession(register(), REGISTER_FLOWS);
      const { status, body } = await tryRegister({ session, type: password, password: 'x' }, REGISTER_FLOWS);
      expect(status).toBe(401);
      expect(body).toEqual({
        errcode: 'M_INVALID_PARAM',
        error: expect.stringContaining('m.login.password'),
        ...challenge(REGISTER_FLOWS, session),
      });
    });

    it('does not check a completed stage again: a registration token is reserved once per session', async () => {
      const session = await openSession(register(), TOKEN_THEN_DUMMY);
      await tryRegister({ session, type: registrationToken, token }, TOKEN_THEN_DUMMY);
      expect(await pending()).toBe(1);
      const again = await tryRegister({ session, type: registrationToken, token }, TOKEN_THEN_DUMMY);
      expect(again.body).toMatchObject({ completed: [registrationToken] });
      expect(again.body).not.toHaveProperty('errcode');
      expect(await pending()).toBe(1);
    });

    it('lets two requests complete the same registration-token stage of one session at once: both see it done, one use is reserved', async () => {
      const session = await openSession(register(), TOKEN_THEN_DUMMY);
      const both = await Promise.all(
        [1, 2].map(() => tryRegister({ session, type: registrationToken, token }, TOKEN_THEN_DUMMY)),
      );
      for (const attempt of both)
        expect(attempt).toEqual({ status: 401, body: challenge(TOKEN_THEN_DUMMY, session, [registrationToken]) });
      expect(await pending()).toBe(1);
    });

    it('keeps both stages when two requests complete different stages of one session at once', async () => {
      const session = await openSession(register(), TOKEN_THEN_DUMMY);
      const results = await Promise.allSettled([
        authenticate(register({ session, type: registrationToken, token }), TOKEN_THEN_DUMMY),
        authenticate(register({ session, type: dummy }), TOKEN_THEN_DUMMY),
      ]);
      // Whichever came second found the flow complete.
      expect(results.filter((result) => result.status === 'fulfilled')).toEqual([
        { status: 'fulfilled', value: { sessionId: session, registrationToken: token } },
      ]);
      expect(((await sessionRow(session))?.completed as string[]).sort()).toEqual([dummy, registrationToken].sort());
      expect(await pending()).toBe(1);
    });

    it('refuses a registration token whose one use another session has reserved', async () => {
      const first = await openSession(register(), TOKEN_THEN_DUMMY);
      await tryRegister({ session: first, type: registrationToken, token }, TOKEN_THEN_DUMMY);
      const second = await openSession(register(), TOKEN_THEN_DUMMY);
      const refused = await tryRegister({ session: second, type: registrationToken, token }, TOKEN_THEN_DUMMY);
      expect(refused.body).toMatchObject({ errcode: 'M_FORBIDDEN', completed: [] });
    });

    it('checks m.login.password against the requesting account, by localpart, full ID or the legacy user field', async () => {
      const identities = [
        { identifier: { type: 'm.id.user', user: 'alice' } },
        { identifier: { type: 'm.id.user', user: alice } },
        { user: 'alice' },
      ];
      for (const identity of identities) {
        const session = await openSession(deleteDevice(), PASSWORD_FLOWS);
        const auth = { session, type: password, password: PASSWORD, ...identity };
        await expect(authenticate(deleteDevice(auth), PASSWORD_FLOWS)).resolves.toMatchObject({ sessionId: session });
      }
    });

    it('refuses m.login.password with a wrong password, for another account, or where nobody is signed in', async () => {
      const attempts: UiaRequest[] = [
        deleteDevice({ type: password, password: 'wrong', identifier: { type: 'm.id.user', user: 'alice' } }),
        deleteDevice({ type: password, password: 'bobs', identifier: { type: 'm.id.user', user: 'bob' } }),
        register({ type: password, password: PASSWORD, identifier: { type: 'm.id.user', user: 'alice' } }),
      ];
      for (const request of attempts) {
        const { status, body } = await answer(authenticate(request, PASSWORD_FLOWS));
        expect(status).toBe(401);
        expect(body).toMatchObject({ errcode: 'M_FORBIDDEN', error: 'Invalid username or password', completed: [] });
      }
    });
  });

  describe('a first request that already attempts a stage (matrix-nio)', () => {
    it('opens a session and completes an offered stage at once', async () => {
      const success = await authenticate(register({ type: dummy }), REGISTER_FLOWS);
      expect(success).toEqual({ sessionId: expect.any(String), registrationToken: null });
      // The session is real and bound like any other.
      expect(await sessionRow(success.sessionId)).toMatchObject({ completed: [dummy] });
      const elsewhere = await answer(
        authenticate(deleteDevice({ session: success.sessionId, type: dummy }), REGISTER_FLOWS),
      );
      expect(elsewhere.status).toBe(403);
    });

    it('answers a failed first attempt with errcode and the session it opened', async () => {
      const { status, body } = await tryRegister({ type: registrationToken, token: 'wrong' }, REGISTER_FLOWS);
      expect(status).toBe(401);
      expect(body).toMatchObject({ errcode: 'M_FORBIDDEN', completed: [], session: expect.any(String) });
      expect(await sessionRow(body.session as string)).toBeDefined();
    });

    it('answers an unoffered first attempt with M_INVALID_PARAM in a 401', async () => {
      const { status, body } = await tryRegister({ type: 'm.login.sso' }, REGISTER_FLOWS);
      expect(status).toBe(401);
      expect(body).toMatchObject({ errcode: 'M_INVALID_PARAM', completed: [], session: expect.any(String) });
    });
  });

  describe('a session is bound to the operation and the user it was opened for', () => {
    it('refuses it for another path or another method with 403', async () => {
      const session = await openSession(deleteDevice(), PASSWORD_FLOWS);
      const auth = { session, type: password, password: PASSWORD, user: 'alice' };
      const otherDevice = { ...deleteDevice(auth), path: '/_matrix/client/v3/devices/LAPTOP' };
      const otherMethod = { ...deleteDevice(auth), method: 'PUT' };
      for (const request of [otherDevice, otherMethod]) {
        const refused = await answer(authenticate(request, PASSWORD_FLOWS));
        expect(refused).toEqual({
          status: 403,
          body: {
            errcode: 'M_FORBIDDEN',
            error: 'Requested operation has changed during the UI authentication session',
          },
        });
      }
    });

    it('ignores the query string and the case of the method', async () => {
      const session = await openSession(deleteDevice(), PASSWORD_FLOWS);
      const request = {
        ...deleteDevice({ session, type: password, password: PASSWORD, user: 'alice' }),
        method: 'delete',
        path: '/_matrix/client/v3/devices/PHONE?x=1',
      };
      await expect(authenticate(request, PASSWORD_FLOWS)).resolves.toMatchObject({ sessionId: session });
    });

    it('refuses it to another user, and between signed-in and anonymous requests', async () => {
      const alicesSession = await openSession(deleteDevice(), PASSWORD_FLOWS);
      const bobsAuth = { session: alicesSession, type: password, password: 'bobs', user: 'bob' };
      const asBob = await answer(authenticate(deleteDevice(bobsAuth, '@bob:hearth.test'), PASSWORD_FLOWS));
      expect(asBob.status).toBe(403);
      const anonymous = { ...deleteDevice({ session: alicesSession }), userId: undefined };
      expect((await answer(authenticate(anonymous, PASSWORD_FLOWS))).status).toBe(403);
      const anonymousSession = await openSession(register(), REGISTER_FLOWS);
      const signedIn = { ...register({ session: anonymousSession, type: dummy }), userId: alice };
      expect((await answer(authenticate(signedIn, REGISTER_FLOWS))).status).toBe(403);
    });
  });

  describe('expiry', () => {
    it('keeps a session for 15 minutes, then answers 400 M_UNKNOWN, as for a session it never issued', async () => {
      const session = await openSession(register(), REGISTER_FLOWS);
      expect(UIA_SESSION_TTL_MS).toBe(15 * 60 * 1000);
      expect(await tryRegister({ session, type: dummy }, REGISTER_FLOWS, T0 + UIA_SESSION_TTL_MS + 1)).toEqual(
        unknownSession,
      );
      const lastMoment = await authenticate(
        register({ session, type: dummy }),
        REGISTER_FLOWS,
        T0 + UIA_SESSION_TTL_MS,
      );
      expect(lastMoment).toMatchObject({ sessionId: session });
      expect(await tryRegister({ session: 'never-issued', type: dummy }, REGISTER_FLOWS)).toEqual(unknownSession);
    });

    it('deletes expired sessions when a new one opens, releasing the registration-token uses they held', async () => {
      const old = await openSession(register(), TOKEN_THEN_DUMMY);
      await tryRegister({ session: old, type: registrationToken, token }, TOKEN_THEN_DUMMY);
      expect(await pending()).toBe(1);
      await openSession(register(), TOKEN_THEN_DUMMY, T0 + UIA_SESSION_TTL_MS + 1);
      expect(await sessionRow(old)).toBeUndefined();
      expect(await pending()).toBe(0);
    });
  });

  describe('consume', () => {
    const completed = async (): Promise<UiaSuccess> => authenticate(register({ type: dummy }), REGISTER_FLOWS);

    it('authorises one operation: a second consume, or a retry with the session, is refused', async () => {
      const success = await completed();
      await tx.run((em) => uia.consume(success, em));
      const replay = await answer(tx.run((em) => uia.consume(success, em)));
      expect(replay).toEqual(unknownSession);
      expect(await tryRegister({ session: success.sessionId, type: dummy }, REGISTER_FLOWS)).toEqual(unknownSession);
    });

    it('leaves the session usable when the operation’s transaction rolls back', async () => {
      const success = await completed();
      await expect(
        tx.run(async (em) => {
          await uia.consume(success, em);
          throw new Error('the operation failed');
        }),
      ).rejects.toThrow('the operation failed');
      await expect(tx.run((em) => uia.consume(success, em))).resolves.toBeUndefined();
    });

    it('lets only one of two concurrent operations consume a session', async () => {
      const success = await completed();
      let commitFirst!: () => void;
      let firstConsumed!: () => void;
      const gate = new Promise<void>((resolve) => (commitFirst = resolve));
      const consumed = new Promise<void>((resolve) => (firstConsumed = resolve));
      const first = tx.run(async (em) => {
        await uia.consume(success, em);
        firstConsumed();
        await gate;
      });
      await consumed;
      // Its refusal is taken as it comes, while the first one is still being awaited.
      const second = answer(tx.run((em) => uia.consume(success, em)));
      await waitUntilBlockedOnALock(sql);
      commitFirst();
      await expect(first).resolves.toBeUndefined();
      expect(await second).toEqual(unknownSession);
    });
  });
});

async function waitUntilBlockedOnALock(sql: Client): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const waiting = await sql.query(
      "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    if ((waiting.rowCount ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the second operation never waited for the first one’s row lock');
}
