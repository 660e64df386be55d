import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionRunner } from '@hearth/storage';
import { DevicesService } from '../devices/devices.service';
import { PasswordHasher } from '../passwords/password-hasher';
import { ProfileRepository } from '../profiles/profile.repository';
import { UIA_STAGES, type UiaFlow } from '../uia/uia-stage';
import { UiaService, type UiaRequest } from '../uia/uia.service';
import { UserRepository } from '../users/user.repository';

/** Sensitive account changes need the password again. */
export const REAUTH_FLOWS: readonly UiaFlow[] = [[UIA_STAGES.password]];

export interface PasswordChange {
  readonly newPassword: string;
  /** Spec default true: every other device is logged out. */
  readonly logoutDevices: boolean;
}

@Injectable()
export class AccountLifeService {
  constructor(
    private readonly uia: UiaService,
    private readonly users: UserRepository,
    private readonly profiles: ProfileRepository,
    private readonly passwords: PasswordHasher,
    private readonly devices: DevicesService,
    private readonly tx: TransactionRunner,
  ) {}

  /** POST /account/password. The caller's own device stays logged in. */
  async changePassword(
    request: UiaRequest & { userId: string },
    deviceId: string,
    change: PasswordChange,
  ): Promise<void> {
    const success = await this.uia.authenticate(request, REAUTH_FLOWS);
    const hash = await this.passwords.hash(change.newPassword);
    await this.tx.run(async (em) => {
      await this.uia.consume(success, em);
      await this.users.setPasswordHash(request.userId, hash, em);
      if (change.logoutDevices) await this.devices.deleteAll(request.userId, em, deviceId);
    });
  }

  /**
   * POST /account/deactivate. The row stays, so the handle is never handed out again; the
   * password, every device and token, and the profile go. `alsoInTransaction` (erasure) runs in
   * the same transaction, so a refusal there leaves the account as it was.
   */
  async deactivate(
    request: UiaRequest & { userId: string },
    alsoInTransaction?: (em: EntityManager) => Promise<void>,
  ): Promise<void> {
    const success = await this.uia.authenticate(request, REAUTH_FLOWS);
    await this.tx.run(async (em) => {
      await this.uia.consume(success, em);
      await this.deactivateNow(request.userId, em);
      await alsoInTransaction?.(em);
    });
  }

  /** Also used by the admin API, which needs no UIA. */
  async deactivateNow(userId: string, em: EntityManager, now = Date.now()): Promise<void> {
    await this.users.markDeactivated(userId, now, em);
    await this.devices.deleteAll(userId, em);
    await this.profiles.update(userId, { displayname: null, avatarUrl: null }, em);
  }
}
