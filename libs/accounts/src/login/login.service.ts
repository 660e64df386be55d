import { Injectable } from '@nestjs/common';
import { RateLimitsService } from '@hearth/http';
import { TransactionRunner } from '@hearth/storage';
import { accountErrors } from '../account-errors';
import { DevicesService, type StartedSession } from '../devices/devices.service';
import { PasswordHasher } from '../passwords/password-hasher';
import { identifierUser } from '../uia/uia-stage-verifier';
import { HandlePolicy } from '../users/handle-policy';
import { AccountCreator } from '../users/account-creator';
import { UserRepository } from '../users/user.repository';
import { JwtVerifier } from './jwt-verifier';

export const LOGIN_TYPES = { password: 'm.login.password', jwt: 'org.matrix.login.jwt' } as const;

export interface LoginRequest {
  readonly type: string;
  readonly body: Record<string, unknown>;
  readonly deviceId?: string;
  readonly initialDeviceDisplayName?: string;
  readonly refreshToken: boolean;
  /** The client's address, for rate limits only. */
  readonly address: string;
}

/** POST /login. Which login types exist is decided by {@link availableLoginTypes}. */
@Injectable()
export class LoginService {
  constructor(
    private readonly handles: HandlePolicy,
    private readonly users: UserRepository,
    private readonly passwords: PasswordHasher,
    private readonly devices: DevicesService,
    private readonly jwt: JwtVerifier,
    private readonly creator: AccountCreator,
    private readonly limits: RateLimitsService,
    private readonly tx: TransactionRunner,
  ) {}

  availableLoginTypes(): string[] {
    return this.jwt.enabled ? [LOGIN_TYPES.password, LOGIN_TYPES.jwt] : [LOGIN_TYPES.password];
  }

  async login(request: LoginRequest): Promise<StartedSession> {
    const known = request.type === LOGIN_TYPES.password || (request.type === LOGIN_TYPES.jwt && this.jwt.enabled);
    if (!known) throw accountErrors.unknownLoginType(request.type);
    const named = identifierUser(request.body);
    await this.limits.consume('login', {
      address: request.address,
      account: named && this.handles.localpartFromIdentifier(named),
    });
    const account =
      request.type === LOGIN_TYPES.password
        ? { userId: await this.verifyPassword(request.body) }
        : await this.verifyJwt(request.body);
    return this.tx.run(async (em) => {
      const userId =
        account.userId ??
        (await this.creator.create(
          { localpart: account.provisionLocalpart as string, passwordHash: null, isAdmin: false },
          em,
        ));
      return this.devices.startSession(
        {
          userId,
          deviceId: request.deviceId,
          initialDisplayName: request.initialDeviceDisplayName,
          refreshable: request.refreshToken,
        },
        em,
      );
    });
  }

  /** The identity provider vouches for the handle; unknown handles are created if configured. */
  private async verifyJwt(body: Record<string, unknown>): Promise<{ userId?: string; provisionLocalpart?: string }> {
    if (typeof body.token !== 'string' || body.token.length === 0 || body.token.length > 16_384) {
      throw accountErrors.forbidden('The login token was not accepted');
    }
    const subject = await this.jwt.subject(body.token);
    const localpart = this.handles.localpartFromIdentifier(subject);
    if (localpart === undefined) throw accountErrors.forbidden('The login token names a user of another server');
    const user = await this.users.find(this.handles.userIdFor(localpart));
    if (user?.deactivatedTs) throw accountErrors.userDeactivated();
    if (user) return { userId: user.userId };
    if (!this.jwt.provisionsAccounts) throw accountErrors.forbidden('No account exists for this login');
    return { provisionLocalpart: localpart };
  }

  /**
   * The same answer and the same work for a wrong password, an unknown handle and a deactivated
   * account (whose password hash is gone): a failed login never tells whether an account exists.
   */
  private async verifyPassword(body: Record<string, unknown>): Promise<string> {
    refuseThirdPartyIdentifiers(body);
    const password = body.password;
    const named = identifierUser(body);
    const localpart = named === undefined ? undefined : this.handles.localpartFromIdentifier(named);
    const userId = localpart === undefined ? undefined : this.handles.userIdFor(localpart);
    const user = userId === undefined ? null : await this.users.find(userId);
    const ok = await this.passwords.verify(user?.passwordHash ?? null, typeof password === 'string' ? password : '');
    if (!ok || !user || typeof password !== 'string') throw accountErrors.invalidLogin();
    return user.userId;
  }
}

/** Accounts are handles: there is no e-mail address or phone number to log in with. */
export function refuseThirdPartyIdentifiers(body: Record<string, unknown>): void {
  const identifier = body.identifier as Record<string, unknown> | undefined;
  const type = typeof identifier === 'object' && identifier !== null ? identifier.type : undefined;
  if (type === 'm.id.thirdparty' || type === 'm.id.phone' || body.medium !== undefined || body.address !== undefined) {
    throw accountErrors.threepidDenied();
  }
}
