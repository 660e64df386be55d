import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { isValidUserLocalpart } from '@hearth/protocol';
import { accountErrors } from '../account-errors';

/** Spec appendix "User Identifiers": the whole ID is at most 255 bytes. */
const MAX_USER_ID_LENGTH = 255;

export interface HandleCheckOptions {
  /** Admins may hand out reserved names (the first `admin` account, say). */
  readonly allowReserved?: boolean;
}

/** Which handles may be registered here. Checks grammar and policy, not availability. */
@Injectable()
export class HandlePolicy {
  constructor(@Inject(HEARTH_CONFIG) private readonly config: HearthConfig) {}

  userIdFor(localpart: string): string {
    return `@${localpart}:${this.config.serverName}`;
  }

  /** Returns the user ID for a wanted handle, or throws M_INVALID_USERNAME / M_EXCLUSIVE. */
  check(localpart: string, options: HandleCheckOptions = {}): string {
    if (localpart.length === 0) throw accountErrors.invalidUsername('A handle cannot be empty');
    if (!isValidUserLocalpart(localpart)) {
      throw accountErrors.invalidUsername('A handle may only contain a-z, 0-9, and the characters . _ = - / +');
    }
    if (localpart.startsWith('_'))
      throw accountErrors.invalidUsername('Handles starting with _ are reserved for bridges');
    const userId = this.userIdFor(localpart);
    if (Buffer.byteLength(userId, 'utf8') > MAX_USER_ID_LENGTH) {
      throw accountErrors.invalidUsername(`A user ID may be at most ${MAX_USER_ID_LENGTH} characters`);
    }
    if (!options.allowReserved && this.isReserved(localpart)) throw accountErrors.exclusive();
    return userId;
  }

  isReserved(localpart: string): boolean {
    return this.config.accounts.reservedLocalparts.includes(localpart);
  }

  /** The spec lets clients omit `username`; we then pick an unguessable one. */
  generateLocalpart(): string {
    return `user-${randomBytes(6).toString('hex')}`;
  }

  /** `m.id.user` identifiers carry a bare localpart or a full user ID of this server. */
  localpartFromIdentifier(user: string): string | undefined {
    if (!user.startsWith('@')) return user.toLowerCase();
    const suffix = `:${this.config.serverName}`;
    if (!user.endsWith(suffix)) return undefined;
    return user.slice(1, -suffix.length).toLowerCase();
  }
}
