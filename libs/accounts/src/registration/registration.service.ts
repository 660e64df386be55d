import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { TransactionRunner } from '@hearth/storage';
import { accountErrors } from '../account-errors';
import { DevicesService } from '../devices/devices.service';
import { PasswordHasher } from '../passwords/password-hasher';
import { UIA_STAGES, type UiaFlow } from '../uia/uia-stage';
import { UiaService, type UiaSuccess } from '../uia/uia.service';
import { AccountCreator } from '../users/account-creator';
import { HandlePolicy } from '../users/handle-policy';
import { UserRepository } from '../users/user.repository';
import { RegistrationTokenRepository } from './registration-token.repository';

/**
 * How long after an account was created a registration repeated with its handle and password is
 * taken as a retry whose reply was lost, and answered like a login instead of M_USER_IN_USE.
 */
export const LOST_REPLY_RETRY_MS = 5 * 60_000;

export interface RegisterRequest {
  readonly method: string;
  readonly path: string;
  readonly username?: string;
  readonly password?: string;
  readonly deviceId?: string;
  readonly initialDeviceDisplayName?: string;
  readonly inhibitLogin: boolean;
  readonly refreshToken: boolean;
  readonly auth: unknown;
}

/** POST /register under the operator's registration mode (closed, token or open). */
@Injectable()
export class RegistrationService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly handles: HandlePolicy,
    private readonly users: UserRepository,
    private readonly uia: UiaService,
    private readonly creator: AccountCreator,
    private readonly devices: DevicesService,
    private readonly passwords: PasswordHasher,
    private readonly registrationTokens: RegistrationTokenRepository,
    private readonly tx: TransactionRunner,
  ) {}

  flows(): UiaFlow[] {
    switch (this.config.registration) {
      case 'open':
        return [[UIA_STAGES.dummy]];
      case 'token':
        return [[UIA_STAGES.registrationToken]];
      case 'closed':
        return [];
    }
  }

  /** GET /register/available: grammar and policy first, then whether it was ever taken. */
  async checkAvailable(localpart: string): Promise<void> {
    const userId = this.handles.check(localpart);
    if (await this.users.find(userId)) throw accountErrors.userInUse();
  }

  async register(request: RegisterRequest) {
    if (this.config.registration === 'closed') throw accountErrors.registrationClosed();
    // Checked before UIA so that nobody completes the token stage for a handle they cannot have.
    const localpart = request.username ?? this.handles.generateLocalpart();
    if (request.username !== undefined) {
      const retried = await this.answerRetryOfLostReply(localpart, request);
      if (retried) return retried;
      await this.checkAvailable(localpart);
    }
    const success = await this.uia.authenticate(
      { method: request.method, path: request.path, auth: request.auth },
      this.flows(),
    );
    const passwordHash = request.password === undefined ? null : await this.passwords.hash(request.password);
    return this.tx.run(async (em) => {
      await this.uia.consume(success, em);
      const userId = await this.creator.create({ localpart, passwordHash, isAdmin: false }, em);
      await this.countTokenUse(success, em);
      if (request.inhibitLogin) return { user_id: userId };
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

  /**
   * A client whose registration completed but whose reply never arrived (a dropped connection, or a
   * client that sent a completing first request and expected 401) registers again with the same
   * handle and password. Proving the password is what /login asks, so it gets a session for the
   * account it made instead of a dead end; after the window, or with another password, the handle is
   * simply taken.
   */
  private async answerRetryOfLostReply(localpart: string, request: RegisterRequest) {
    if (request.password === undefined) return null;
    const user = await this.users.find(this.handles.check(localpart));
    if (!user || user.deactivatedTs !== null || Date.now() - user.createdTs > LOST_REPLY_RETRY_MS) return null;
    if (!(await this.passwords.verify(user.passwordHash, request.password))) return null;
    if (request.inhibitLogin) return { user_id: user.userId };
    return this.tx.run((em) =>
      this.devices.startSession(
        {
          userId: user.userId,
          deviceId: request.deviceId,
          initialDisplayName: request.initialDeviceDisplayName,
          refreshable: request.refreshToken,
        },
        em,
      ),
    );
  }

  private async countTokenUse(success: UiaSuccess, em: EntityManager): Promise<void> {
    if (success.registrationToken) await this.registrationTokens.completePendingUse(success.registrationToken, em);
  }
}
