import type { EntityManager } from 'typeorm';
import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { TransactionRunner } from '@hearth/storage';
import { AccountLifeService } from '../account/account-life.service';
import { DevicesService } from '../devices/devices.service';
import { PasswordHasher } from '../passwords/password-hasher';
import { ProfileRepository } from '../profiles/profile.repository';
import { AccountCreator } from '../users/account-creator';
import { HandlePolicy } from '../users/handle-policy';
import type { UserEntity } from '../users/user.entity';
import { UserRepository } from '../users/user.repository';

export interface AdminUserChanges {
  readonly password?: string;
  readonly displayname?: string | null;
  readonly admin?: boolean;
  readonly deactivated?: boolean;
  readonly logoutDevices?: boolean;
}

/** The account side of the admin API, in the shape Synapse's admin tools expect. */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly users: UserRepository,
    private readonly profiles: ProfileRepository,
    private readonly creator: AccountCreator,
    private readonly handles: HandlePolicy,
    private readonly passwords: PasswordHasher,
    private readonly devices: DevicesService,
    private readonly life: AccountLifeService,
    private readonly tx: TransactionRunner,
  ) {}

  async list(from: number, limit: number, includeDeactivated: boolean) {
    const [users, total] = await this.users.list({ from, limit, includeDeactivated });
    const details = await Promise.all(users.map((user) => this.details(user)));
    const next = from + users.length;
    return { users: details, total, ...(next < total ? { next_token: String(next) } : {}) };
  }

  /** False until the operator has created the first admin (start-up says how). */
  hasActiveAdmin(): Promise<boolean> {
    return this.users.hasActiveAdmin();
  }

  async get(userId: string) {
    const user = await this.users.find(userId);
    if (!user) throw MatrixError.notFound('User not found');
    return this.details(user);
  }

  /** PUT /_synapse/admin/v2/users/{userId}: creates the account or changes it. */
  async upsert(
    userId: string,
    changes: AdminUserChanges,
  ): Promise<{ created: boolean; user: Awaited<ReturnType<AdminUsersService['get']>> }> {
    const localpart = this.handles.localpartFromIdentifier(userId);
    if (!userId.startsWith('@') || localpart === undefined)
      throw MatrixError.invalidParam('Can only manage users of this server');
    const passwordHash = changes.password === undefined ? undefined : await this.passwords.hash(changes.password);
    const created = await this.tx.run(async (em) => {
      const existing = await this.users.find(userId, em);
      if (!existing) {
        await this.creator.create(
          { localpart, passwordHash: passwordHash ?? null, isAdmin: changes.admin ?? false, allowReserved: true },
          em,
        );
      } else {
        if (existing.deactivatedTs !== null && changes.deactivated === false) {
          throw MatrixError.invalidParam('Deactivated accounts stay deactivated: their handle is retired');
        }
        if (passwordHash !== undefined) {
          await this.users.setPasswordHash(userId, passwordHash, em);
          if (changes.logoutDevices ?? true) await this.devices.deleteAll(userId, em);
        }
        if (changes.admin !== undefined) await this.users.setAdmin(userId, changes.admin, em);
        if (changes.deactivated === true && existing.deactivatedTs === null) await this.life.deactivateNow(userId, em);
      }
      if (changes.displayname !== undefined)
        await this.profiles.update(userId, { displayname: changes.displayname }, em);
      return !existing;
    });
    return { created, user: await this.get(userId) };
  }

  async resetPassword(userId: string, newPassword: string, logoutDevices: boolean): Promise<void> {
    const user = await this.users.find(userId);
    if (!user || user.deactivatedTs !== null) throw MatrixError.notFound('User not found');
    const hash = await this.passwords.hash(newPassword);
    await this.tx.run(async (em) => {
      await this.users.setPasswordHash(userId, hash, em);
      if (logoutDevices) await this.devices.deleteAll(userId, em);
    });
  }

  /** `alsoInTransaction` (erasure) runs even for an account already deactivated. */
  async deactivate(userId: string, alsoInTransaction?: (em: EntityManager) => Promise<void>): Promise<void> {
    const user = await this.users.find(userId);
    if (!user) throw MatrixError.notFound('User not found');
    await this.tx.run(async (em) => {
      if (user.deactivatedTs === null) await this.life.deactivateNow(userId, em);
      await alsoInTransaction?.(em);
    });
  }

  private async details(user: UserEntity) {
    const profile = await this.profiles.find(user.userId);
    return {
      name: user.userId,
      displayname: profile?.displayname ?? null,
      avatar_url: profile?.avatarUrl ?? null,
      threepids: [],
      external_ids: [],
      is_guest: false,
      admin: user.isAdmin,
      deactivated: user.deactivatedTs !== null,
      erased: await this.users.isErased(user.userId),
      shadow_banned: false,
      locked: false,
      creation_ts: user.createdTs,
      user_type: null,
      appservice_id: null,
    };
  }
}
