import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { isValidServerName, type JsonObject } from '@hearth/protocol';
import { RemoteKeysService } from '@hearth/federation-client';
import { ServerSigner } from '@hearth/signing';
import { ServerKeysService } from './server-keys.service';

/** Servers one notary request may ask about, so that one request cannot make us fetch the world. */
export const MAX_NOTARY_SERVERS = 50;

/**
 * Spec SS API "Querying Keys Through Another Server": we answer with each server's own signed
 * document, fetched when our copy is missing or too old, and add our signature to it.
 */
@Injectable()
export class NotaryService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly ownKeys: ServerKeysService,
    private readonly remoteKeys: RemoteKeysService,
    private readonly signer: ServerSigner,
  ) {}

  /** `minimumValidUntil` per server: 0 when the asker has no wish. */
  async query(servers: ReadonlyMap<string, number>): Promise<JsonObject[]> {
    const answers = await Promise.all(
      [...servers].filter(([name]) => isValidServerName(name)).map(([name, minimum]) => this.documentOf(name, minimum)),
    );
    return answers.filter((document): document is JsonObject => document !== undefined);
  }

  private async documentOf(serverName: string, minimumValidUntil: number): Promise<JsonObject | undefined> {
    if (serverName === this.config.serverName) return this.ownKeys.keyDocument();
    const document = await this.remoteKeys.document(serverName, Math.max(minimumValidUntil, Date.now()));
    return document ? this.signer.signJson(document) : undefined;
  }
}
