import { Inject, Injectable, Logger } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import {
  isJsonObject,
  NotaryKeysAnswer,
  verifyJsonSignature,
  type JsonObject,
  type Signatures,
} from '@hearth/protocol';
import { ServerSigner } from '@hearth/signing';
import { TransactionRunner } from '@hearth/storage';
import { FederationClient } from '../client/federation-client';
import { verifyKeyDocument, type VerifiedKeyDocument } from './key-document';
import { ServerKeyRepository, type StoredServerKey } from './server-key.repository';

/** Spec: for room versions 5+, a key counts as valid for at most 7 days after we fetched it. */
const MAX_KEY_VALIDITY_MS = 7 * 24 * 3600 * 1000;
/** A server whose keys we just failed to find is not asked again for this long. */
const REFETCH_AFTER_MISS_MS = 30_000;
const MEMORY_CACHE_MS = 5 * 60 * 1000;

/**
 * Other servers' signing keys: from our cache, else from the server itself, else from the
 * configured notaries. Concurrent lookups for one server share one fetch.
 */
@Injectable()
export class RemoteKeysService {
  private readonly logger = new Logger(RemoteKeysService.name);
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly lastMiss = new Map<string, number>();
  private readonly memory = new Map<string, { keys: StoredServerKey[]; readAt: number }>();

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly tx: TransactionRunner,
    private readonly repository: ServerKeyRepository,
    private readonly client: FederationClient,
    private readonly signer: ServerSigner,
  ) {}

  /** The public key of `keyId` if it was valid for a signature made at `validAt`. */
  async verifyKey(serverName: string, keyId: string, validAt: number): Promise<Uint8Array | undefined> {
    if (serverName === this.config.serverName)
      return keyId === this.signer.key.keyId ? this.signer.key.publicKey : undefined;
    const usable = (keys: StoredServerKey[]) =>
      keys.find((key) => key.keyId === keyId && key.validUntilTs >= validAt)?.publicKey;
    const known = usable(await this.storedKeys(serverName));
    if (known) return known;
    await this.fetch(serverName, keyId);
    return usable(await this.storedKeys(serverName));
  }

  /** Whether `object` carries a signature of `serverName` by a key valid at `validAt`. */
  async isSignedBy(object: JsonObject, serverName: string, validAt: number): Promise<boolean> {
    const signatures = isJsonObject(object.signatures) ? (object.signatures as Signatures)[serverName] : undefined;
    if (!isJsonObject(signatures)) return false;
    for (const keyId of Object.keys(signatures).filter((id) => id.startsWith('ed25519:'))) {
      const key = await this.verifyKey(serverName, keyId, validAt);
      if (key && verifyJsonSignature(object, serverName, keyId, key)) return true;
    }
    return false;
  }

  /** Makes sure we hold a document for `serverName` valid until at least `minimumValidUntil` if one can be had. */
  async refresh(serverName: string, minimumValidUntil: number): Promise<void> {
    const stored = await this.tx.read((em) => this.repository.document(serverName, em));
    if (!stored || stored.validUntilTs < minimumValidUntil) await this.fetch(serverName, undefined);
  }

  /**
   * The server's own signed key document as we hold it, fetched first when ours is missing or
   * valid for less than `minimumValidUntil`: what a notary serves (spec "Querying Keys Through
   * Another Server").
   */
  async document(serverName: string, minimumValidUntil: number): Promise<JsonObject | undefined> {
    await this.refresh(serverName, minimumValidUntil);
    return (await this.tx.read((em) => this.repository.document(serverName, em)))?.document;
  }

  private async storedKeys(serverName: string): Promise<StoredServerKey[]> {
    const cached = this.memory.get(serverName);
    if (cached && Date.now() - cached.readAt < MEMORY_CACHE_MS) return cached.keys;
    const keys = await this.tx.read((em) => this.repository.keysOf(serverName, em));
    this.memory.set(serverName, { keys, readAt: Date.now() });
    return keys;
  }

  private fetch(serverName: string, keyId: string | undefined): Promise<void> {
    const missedAt = this.lastMiss.get(serverName);
    if (missedAt !== undefined && Date.now() - missedAt < REFETCH_AFTER_MISS_MS) return Promise.resolve();
    let running = this.inFlight.get(serverName);
    if (!running) {
      running = this.fetchAndStore(serverName, keyId).finally(() => this.inFlight.delete(serverName));
      this.inFlight.set(serverName, running);
    }
    return running;
  }

  private async fetchAndStore(serverName: string, keyId: string | undefined): Promise<void> {
    const documents = await this.fetchDirectly(serverName).then((found) =>
      found ? [found] : this.fetchThroughNotaries(serverName),
    );
    const now = Date.now();
    for (const document of documents) {
      const validUntil = Math.min(document.validUntilTs, now + MAX_KEY_VALIDITY_MS);
      await this.tx.run((em) => this.repository.store(document, validUntil, now, em));
    }
    this.memory.delete(serverName);
    const found = documents.some((d) => keyId === undefined || d.verifyKeys.has(keyId) || d.oldVerifyKeys.has(keyId));
    if (found) this.lastMiss.delete(serverName);
    else this.lastMiss.set(serverName, now);
  }

  private async fetchDirectly(serverName: string): Promise<VerifiedKeyDocument | undefined> {
    try {
      const answer = await this.client.request(serverName, {
        method: 'GET',
        path: '/_matrix/key/v2/server',
        unsigned: true,
      });
      const verified = verifyKeyDocument(answer, serverName);
      if (!verified) this.logger.warn(`${serverName} served a key document that does not verify`);
      return verified;
    } catch (error) {
      this.logger.debug(`fetching keys from ${serverName} directly failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** Spec "Querying Keys Through Another Server": each answer signed by the server and by the notary. */
  private async fetchThroughNotaries(serverName: string): Promise<VerifiedKeyDocument[]> {
    for (const notary of this.config.federation.trustedKeyServers.filter((name) => name !== serverName)) {
      try {
        const answer = await this.client.request(
          notary,
          { method: 'POST', path: '/_matrix/key/v2/query', body: { server_keys: { [serverName]: {} } } },
          NotaryKeysAnswer,
        );
        const verified: VerifiedKeyDocument[] = [];
        for (const document of answer.server_keys) {
          const checked = verifyKeyDocument(document, serverName);
          if (checked && (await this.isSignedBy(checked.document, notary, Date.now()))) verified.push(checked);
        }
        if (verified.length > 0) return verified;
      } catch (error) {
        this.logger.debug(`asking notary ${notary} for ${serverName}'s keys failed: ${(error as Error).message}`);
      }
    }
    return [];
  }
}
