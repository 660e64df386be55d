import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The longest password we hash: argon2 takes any length, but hashing megabytes is a DoS lever. */
export const MAX_PASSWORD_LENGTH = 512;

@Injectable()
export class PasswordHasher {
  /** Verified when an account does not exist, so a failed login costs the same either way. */
  private readonly dummyHash = argon2.hash('hearth-dummy-password', ARGON2_OPTIONS);

  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  /** Constant-time comparison happens inside argon2.verify. A malformed stored hash never matches. */
  async verify(storedHash: string | null, password: string): Promise<boolean> {
    try {
      const ok = await argon2.verify(storedHash ?? (await this.dummyHash), password);
      return ok && storedHash !== null;
    } catch {
      return false;
    }
  }
}
