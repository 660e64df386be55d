import { Inject, Injectable } from '@nestjs/common';
import type { JsonObject } from '@hearth/protocol';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { ServerSigner } from '@hearth/signing';
import { buildServerKeyDocument } from './server-key-document';

/** Our own server identity as other servers see it. */
@Injectable()
export class ServerKeysService {
  /** Re-signed at most once per minute: each signature is cheap but the document is public. */
  private cached: { document: JsonObject; signedAt: number } | undefined;

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly signer: ServerSigner,
  ) {}

  get keyId(): string {
    return this.signer.key.keyId;
  }

  keyDocument(now = Date.now()): JsonObject {
    if (this.cached && now - this.cached.signedAt < 60_000) return this.cached.document;
    const document = buildServerKeyDocument({
      serverName: this.config.serverName,
      key: this.signer.key,
      validUntilTs: now + this.config.keyValidityMs,
    });
    this.cached = { document, signedAt: now };
    return document;
  }
}
