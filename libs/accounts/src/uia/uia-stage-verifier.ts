import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MatrixError } from '@hearth/http';
import { PasswordHasher } from '../passwords/password-hasher';
import { RegistrationTokenRepository } from '../registration/registration-token.repository';
import { HandlePolicy } from '../users/handle-policy';
import { UserRepository } from '../users/user.repository';
import type { UiaSessionEntity } from './uia-session.entity';
import type { UiaRequest } from './uia-request';
import { UIA_STAGES, type UiaStage } from './uia-stage';

/**
 * Checks the credentials of one stage; answers the failure, or undefined on success. Runs in the
 * transaction (`em`) that holds the session's row, so what a stage reserves is kept only if the
 * stage is recorded.
 */
@Injectable()
export class UiaStageVerifier {
  constructor(
    private readonly registrationTokens: RegistrationTokenRepository,
    private readonly users: UserRepository,
    private readonly passwords: PasswordHasher,
    private readonly handles: HandlePolicy,
  ) {}

  async verify(
    stage: UiaStage,
    auth: Record<string, unknown>,
    session: UiaSessionEntity,
    request: UiaRequest,
    now: number,
    em: EntityManager,
  ) {
    switch (stage) {
      case UIA_STAGES.dummy:
        return undefined;
      case UIA_STAGES.registrationToken:
        return this.verifyRegistrationToken(auth, session, now, em);
      case UIA_STAGES.password:
        return this.verifyPassword(auth, request, em);
    }
  }

  /** Spec "Token-authenticated registration": the use is reserved now, counted on registration. */
  private async verifyRegistrationToken(
    auth: Record<string, unknown>,
    session: UiaSessionEntity,
    now: number,
    em: EntityManager,
  ) {
    const token = auth.token;
    if (typeof token !== 'string' || token.length === 0 || token.length > 64)
      return MatrixError.forbidden('Invalid registration token');
    const reserved = await this.registrationTokens.reservePendingUse(token, now, em);
    if (!reserved) return MatrixError.forbidden('Invalid registration token');
    session.registrationToken = token;
    return undefined;
  }

  /** Re-authentication of the account that is asking, with its password. */
  private async verifyPassword(auth: Record<string, unknown>, request: UiaRequest, em: EntityManager) {
    const password = auth.password;
    const named = identifierUser(auth);
    const localpart = named === undefined ? undefined : this.handles.localpartFromIdentifier(named);
    const claimed = localpart === undefined ? undefined : this.handles.userIdFor(localpart);
    if (typeof password !== 'string' || !request.userId || claimed !== request.userId) {
      return MatrixError.forbidden('Invalid username or password');
    }
    const user = await this.users.find(request.userId, em);
    const ok = await this.passwords.verify(user?.passwordHash ?? null, password);
    return ok ? undefined : MatrixError.forbidden('Invalid username or password');
  }
}

/** `identifier: {type: m.id.user, user}` or the deprecated top-level `user`. */
export function identifierUser(body: Record<string, unknown>): string | undefined {
  const identifier = body.identifier;
  if (typeof identifier === 'object' && identifier !== null) {
    const { type, user } = identifier as Record<string, unknown>;
    return type === 'm.id.user' && typeof user === 'string' ? user : undefined;
  }
  return typeof body.user === 'string' ? body.user : undefined;
}
