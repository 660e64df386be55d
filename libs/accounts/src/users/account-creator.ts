import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { accountErrors } from '../account-errors';
import { ProfileRepository } from '../profiles/profile.repository';
import { HandlePolicy } from './handle-policy';
import { UserRepository } from './user.repository';

export interface NewAccount {
  readonly localpart: string;
  readonly passwordHash: string | null;
  readonly isAdmin: boolean;
  /** Admin tools may create reserved handles such as `admin`. */
  readonly allowReserved?: boolean;
}

/** The one place accounts come into being: registration, admin tools and JWT provisioning. */
@Injectable()
export class AccountCreator {
  constructor(
    private readonly handles: HandlePolicy,
    private readonly users: UserRepository,
    private readonly profiles: ProfileRepository,
  ) {}

  async create(account: NewAccount, em: EntityManager, now = Date.now()): Promise<string> {
    const userId = this.handles.check(account.localpart, { allowReserved: account.allowReserved });
    const inserted = await this.users.insertIfFree(
      {
        userId,
        localpart: account.localpart,
        passwordHash: account.passwordHash,
        isAdmin: account.isAdmin,
        createdTs: now,
        deactivatedTs: null,
      },
      em,
    );
    if (!inserted) throw accountErrors.userInUse();
    await this.profiles.create(userId, account.localpart, em);
    return userId;
  }
}
