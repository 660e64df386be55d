import { createPublicKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { HEARTH_CONFIG, type HearthConfig, type JwtLoginConfig } from '@hearth/config';
import { accountErrors } from '../account-errors';

type VerificationKey = Uint8Array | KeyObject | JWTVerifyGetKey;

/**
 * Verifies `org.matrix.login.jwt` tokens from the organisation's identity provider: signature
 * (secret, public key or JWKS), issuer, audience, expiry. Returns the claim naming the handle.
 */
@Injectable()
export class JwtVerifier {
  private readonly jwt: JwtLoginConfig | undefined;
  private readonly key: VerificationKey | undefined;

  constructor(@Inject(HEARTH_CONFIG) config: HearthConfig) {
    this.jwt = config.accounts.jwtLogin;
    this.key = this.jwt && verificationKey(this.jwt);
  }

  get enabled(): boolean {
    return this.jwt !== undefined;
  }

  get provisionsAccounts(): boolean {
    return this.jwt?.provision ?? false;
  }

  async subject(token: string): Promise<string> {
    if (!this.jwt || !this.key) throw accountErrors.unknownLoginType('org.matrix.login.jwt');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as Parameters<typeof jwtVerify>[1], {
        issuer: this.jwt.issuer,
        audience: [...(typeof this.jwt.audience === 'string' ? [this.jwt.audience] : this.jwt.audience)],
        algorithms: [...this.jwt.algorithms],
        requiredClaims: ['exp'],
      }));
    } catch {
      throw accountErrors.forbidden('The login token was not accepted');
    }
    const subject = payload[this.jwt.subjectClaim];
    if (typeof subject !== 'string' || subject.length === 0)
      throw accountErrors.forbidden(`The login token has no ${this.jwt.subjectClaim} claim`);
    return subject;
  }
}

function verificationKey(jwt: JwtLoginConfig): VerificationKey {
  switch (jwt.key.kind) {
    case 'secret':
      return new TextEncoder().encode(jwt.key.secret);
    case 'public-key':
      return createPublicKey(jwt.key.pem);
    case 'jwks':
      return createRemoteJWKSet(new URL(jwt.key.url));
  }
}
