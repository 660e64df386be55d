import { Inject, Injectable } from '@nestjs/common';
import type { JsonObject, SigningKey } from '@hearth/protocol';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { buildServerKeyDocument } from './server-key-document';

export const SERVER_SIGNING_KEY = Symbol('SERVER_SIGNING_KEY');

/** Our own server identity as other servers see it. */
@Injectable()
export class ServerKeysService {
  /** Re-signed at most once per minute: each signature is cheap but the document is public. */
  private cached: { document: JsonObject; signedAt: number } | undefined;

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(SERVER_SIGNING_KEY) private readonly key: SigningKey,
  ) {}

  get keyId(): string {
    return this.key.keyId;
  }

  keyDocument(now = Date.now()): JsonObject {
    if (this.cached && now - this.cached.signedAt < 60_000) return this.cached.document;
    const document = buildServerKeyDocument({
      serverName: this.config.serverName,
      key: this.key,
      validUntilTs: now + this.config.keyValidityMs,
    });
    this.cached = { document, signedAt: now };
    return document;
  }
}
