import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import type { RegistrationTokenEntity } from './registration-token.entity';
import { RegistrationTokenRepository } from './registration-token.repository';

/** Spec: registration tokens use the characters [A-Za-z0-9._~-] and are at most 64 long. */
const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{1,64}$/;

export interface NewRegistrationToken {
  readonly token?: string;
  readonly length?: number;
  readonly usesAllowed?: number | null;
  readonly expiryTime?: number | null;
}

/** How an organisation invites colleagues: tokens an admin hands out, with limited uses. */
@Injectable()
export class RegistrationTokensService {
  constructor(private readonly tokens: RegistrationTokenRepository) {}

  async create(request: NewRegistrationToken, now = Date.now()): Promise<RegistrationTokenEntity> {
    const token = request.token ?? randomToken(request.length ?? 16);
    if (!TOKEN_PATTERN.test(token))
      throw MatrixError.invalidParam('token must be 1-64 characters of A-Z a-z 0-9 . _ ~ -');
    if (
      request.usesAllowed !== undefined &&
      request.usesAllowed !== null &&
      (!Number.isInteger(request.usesAllowed) || request.usesAllowed < 0)
    ) {
      throw MatrixError.invalidParam('uses_allowed must be a non-negative integer or null');
    }
    if (request.expiryTime !== undefined && request.expiryTime !== null && request.expiryTime <= now) {
      throw MatrixError.invalidParam('expiry_time must be in the future');
    }
    const entity: RegistrationTokenEntity = {
      token,
      usesAllowed: request.usesAllowed ?? null,
      pending: 0,
      completed: 0,
      expiryTime: request.expiryTime ?? null,
      createdTs: now,
    };
    if (!(await this.tokens.insert(entity)))
      throw new MatrixError(400, 'M_INVALID_PARAM', `Token already exists: ${token}`);
    return entity;
  }

  list(): Promise<RegistrationTokenEntity[]> {
    return this.tokens.list();
  }

  get(token: string): Promise<RegistrationTokenEntity | null> {
    return this.tokens.find(token);
  }

  async update(
    token: string,
    changes: Pick<NewRegistrationToken, 'usesAllowed' | 'expiryTime'>,
  ): Promise<RegistrationTokenEntity> {
    const found = await this.tokens.find(token);
    if (!found) throw MatrixError.notFound('No such registration token');
    const set = {
      ...(changes.usesAllowed !== undefined ? { usesAllowed: changes.usesAllowed } : {}),
      ...(changes.expiryTime !== undefined ? { expiryTime: changes.expiryTime } : {}),
    };
    // An update naming no field changes nothing (TypeORM refuses an UPDATE without values).
    if (Object.keys(set).length === 0) return found;
    await this.tokens.update(token, set);
    return (await this.tokens.find(token)) as RegistrationTokenEntity;
  }

  async revoke(token: string): Promise<void> {
    if (!(await this.tokens.delete(token))) throw MatrixError.notFound('No such registration token');
  }

  /** GET /register/m.login.registration_token/validity: usable now, with a use left. */
  async isValid(token: string, now = Date.now()): Promise<boolean> {
    const found = TOKEN_PATTERN.test(token) ? await this.tokens.find(token) : null;
    if (!found) return false;
    if (found.expiryTime !== null && found.expiryTime <= now) return false;
    return found.usesAllowed === null || found.pending + found.completed < found.usesAllowed;
  }
}

function randomToken(length: number): string {
  if (!Number.isInteger(length) || length < 1 || length > 64)
    throw MatrixError.invalidParam('length must be between 1 and 64');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
}

export function toRegistrationTokenResponse(token: RegistrationTokenEntity) {
  return {
    token: token.token,
    uses_allowed: token.usesAllowed,
    pending: token.pending,
    completed: token.completed,
    expiry_time: token.expiryTime,
  };
}
