import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MatrixError } from '@hearth/http';
import { TransactionRunner } from '@hearth/storage';
import { RegistrationTokenRepository } from '../registration/registration-token.repository';
import { UiaSessionEntity } from './uia-session.entity';
import { UiaSessionRepository } from './uia-session.repository';
import type { UiaFlow, UiaStage } from './uia-stage';
import { UiaStageVerifier } from './uia-stage-verifier';
import type { UiaRequest } from './uia-request';

export type { UiaRequest } from './uia-request';

/** Sessions are short-lived: they exist between a 401 and the client's retry. */
export const UIA_SESSION_TTL_MS = 15 * 60 * 1000;

export interface UiaSuccess {
  readonly sessionId: string;
  /** The registration token whose stage completed, to be counted as used. */
  readonly registrationToken: string | null;
}

/**
 * The one User-Interactive Auth implementation, used by every endpoint that needs it. A session is
 * bound to the operation (method and path) and user it was opened for, and authorises it once:
 * the caller consumes it inside the transaction that performs the operation.
 */
@Injectable()
export class UiaService {
  constructor(
    private readonly sessions: UiaSessionRepository,
    private readonly registrationTokens: RegistrationTokenRepository,
    private readonly stages: UiaStageVerifier,
    private readonly tx: TransactionRunner,
  ) {}

  /**
   * A first request that already attempts a stage (`auth` with a `type` but no `session`) gets
   * its session opened on the spot and the stage checked at once, as Synapse does: matrix-nio
   * registers with `auth: {type: "m.login.dummy"}` in its first request and expects an account.
   * The session is bound to this request as any other; a failed stage answers with its ID.
   */
  async authenticate(request: UiaRequest, flows: readonly UiaFlow[], now = Date.now()): Promise<UiaSuccess> {
    const auth = isObject(request.auth) ? request.auth : undefined;
    const sessionId = typeof auth?.session === 'string' ? auth.session : undefined;
    const type = typeof auth?.type === 'string' ? auth.type : undefined;
    if (!sessionId && type === undefined) throw challenge(flows, (await this.open(request, now)).sessionId, []);
    const session = sessionId ? await this.resume(sessionId, request, now) : await this.open(request, now);

    const current =
      type === undefined ? session : await this.completeStage(session, type, auth ?? {}, flows, request, now);
    if (flows.some((flow) => flow.every((stage) => current.completed.includes(stage)))) {
      return { sessionId: current.sessionId, registrationToken: current.registrationToken };
    }
    throw challenge(flows, current.sessionId, current.completed);
  }

  private async resume(sessionId: string, request: UiaRequest, now: number): Promise<UiaSessionEntity> {
    const session = await this.sessions.find(sessionId);
    if (!session || session.createdTs + UIA_SESSION_TTL_MS < now) {
      throw new MatrixError(400, 'M_UNKNOWN', 'Unknown or expired authentication session');
    }
    if (session.requestHash !== requestHash(request) || session.userId !== (request.userId ?? null)) {
      throw MatrixError.forbidden('Requested operation has changed during the UI authentication session');
    }
    return session;
  }

  /** Marks the session used; false when another request already used it (a replay). */
  async consume(success: UiaSuccess, em: EntityManager): Promise<void> {
    if (!(await this.sessions.consume(success.sessionId, em))) {
      throw new MatrixError(400, 'M_UNKNOWN', 'Unknown or expired authentication session');
    }
  }

  /**
   * Checks and records one stage with the session's row locked, and answers the session as it
   * then stands. Two requests completing stages of one session at once (a client retrying, two
   * tabs) take turns: neither loses the other's stage, and a stage the other completed meanwhile
   * is not checked again (so a registration token's one use is not reserved twice, nor refused
   * to the session that holds it).
   */
  private async completeStage(
    opened: UiaSessionEntity,
    type: string,
    auth: Record<string, unknown>,
    flows: readonly UiaFlow[],
    request: UiaRequest,
    now: number,
  ): Promise<UiaSessionEntity> {
    const offered = flows.some((flow) => flow.includes(type as UiaStage));
    if (!offered)
      throw challenge(
        flows,
        opened.sessionId,
        opened.completed,
        MatrixError.invalidParam(`Stage ${type} is not offered here`),
      );
    if (opened.completed.includes(type)) return opened;
    return this.tx.run(async (em) => {
      const session = await this.sessions.findForUpdate(opened.sessionId, em);
      // Consumed by a concurrent request that finished the operation meanwhile.
      if (!session) throw new MatrixError(400, 'M_UNKNOWN', 'Unknown or expired authentication session');
      if (session.completed.includes(type)) return session;
      const failure = await this.stages.verify(type as UiaStage, auth, session, request, now, em);
      if (failure) throw challenge(flows, session.sessionId, session.completed, failure);
      session.completed = [...session.completed, type];
      await this.sessions.save(session, em);
      return session;
    });
  }

  private async open(request: UiaRequest, now: number): Promise<UiaSessionEntity> {
    const sessionId = randomBytes(18).toString('base64url');
    return this.tx.run(async (em) => {
      for (const token of await this.sessions.deleteExpired(now - UIA_SESSION_TTL_MS, em)) {
        await this.registrationTokens.releasePendingUse(token, em);
      }
      const session = new UiaSessionEntity();
      Object.assign(session, {
        sessionId,
        requestHash: requestHash(request),
        userId: request.userId ?? null,
        completed: [],
        params: {},
        createdTs: now,
        registrationToken: null,
      });
      await this.sessions.insert(session, em);
      return session;
    });
  }
}

/** The 401 that asks for (more) stages. Only a failed stage carries errcode and error. */
class UiaChallenge extends MatrixError {
  constructor(
    body: Record<string, unknown>,
    private readonly failed: boolean,
  ) {
    super(
      401,
      (body.errcode as `M_${string}` | undefined) ?? 'M_FORBIDDEN',
      (body.error as string | undefined) ?? 'Additional authentication is required',
      body,
    );
  }

  override toBody(): Record<string, unknown> {
    return this.failed ? super.toBody() : { ...this.extra };
  }
}

function challenge(
  flows: readonly UiaFlow[],
  session: string,
  completed: readonly string[],
  failure?: MatrixError,
): MatrixError {
  const body = { flows: flows.map((stages) => ({ stages })), params: {}, session, completed };
  if (!failure) return new UiaChallenge(body, false);
  return new UiaChallenge({ ...body, errcode: failure.errcode, error: failure.message }, true);
}

function requestHash(request: UiaRequest): string {
  return createHash('sha256')
    .update(`${request.method.toUpperCase()} ${request.path.split('?', 1)[0]}`)
    .digest('base64url');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
