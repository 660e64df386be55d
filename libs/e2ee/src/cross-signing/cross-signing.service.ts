import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MatrixError } from '@hearth/http';
import { canonicalJson, decodeBase64, isJsonObject, verifyJsonSignature, type JsonObject } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { DeviceListsService } from '../device-lists/device-lists.service';
import { DeviceKeysRepository } from '../keys/device-keys.repository';
import {
  CrossSigningRepository,
  type KeySignature,
  type KeyUsage,
  type StoredSigningKey,
} from './cross-signing.repository';

const USAGES: ReadonlyArray<{ field: string; usage: KeyUsage }> = [
  { field: 'master_key', usage: 'master' },
  { field: 'self_signing_key', usage: 'self_signing' },
  { field: 'user_signing_key', usage: 'user_signing' },
];

interface CheckedKey {
  readonly usage: KeyUsage;
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly key: JsonObject;
}

/** The cross-signing keys and signatures /keys/query adds for the users asked about. */
export interface CrossSigningView {
  readonly master_keys: Record<string, JsonObject>;
  readonly self_signing_keys: Record<string, JsonObject>;
  readonly user_signing_keys: Record<string, JsonObject>;
  /** Signatures over device keys, to merge into each device's `signatures`. */
  readonly deviceSignatures: readonly KeySignature[];
}

/**
 * Spec CS API "Cross-signing": a user's master key vouches for their self-signing key (which
 * signs their devices) and their user-signing key (which signs other users' master keys).
 * Every signature is checked against the key it claims before it is stored.
 */
@Injectable()
export class CrossSigningService {
  constructor(
    private readonly repository: CrossSigningRepository,
    private readonly deviceKeys: DeviceKeysRepository,
    private readonly deviceLists: DeviceListsService,
    private readonly tx: TransactionRunner,
  ) {}

  /** Spec (v1.11): the first upload needs no UIA; replacing keys does. */
  async needsAuth(userId: string, body: unknown): Promise<boolean> {
    const stored = await this.tx.read((em) => this.repository.keysOf([userId], em));
    if (!stored.some((key) => key.usage === 'master')) return false;
    const uploaded = isJsonObject(body) ? body : {};
    return USAGES.some(({ field, usage }) => {
      const key = uploaded[field];
      const current = stored.find((s) => s.usage === usage);
      return (
        key !== undefined &&
        (!current || canonicalJson(withoutSignatures(key)) !== canonicalJson(withoutSignatures(current.key)))
      );
    });
  }

  /** POST /keys/device_signing/upload (after UIA where needed). */
  async upload(userId: string, body: unknown): Promise<void> {
    const uploaded = isJsonObject(body) ? body : {};
    const checked = USAGES.flatMap(({ field, usage }) =>
      uploaded[field] === undefined ? [] : [checkKey(uploaded[field], userId, usage)],
    );
    if (checked.length === 0)
      throw MatrixError.missingParam('Upload at least one of master_key, self_signing_key, user_signing_key');
    await this.tx.run(async (em) => {
      const stored = await this.repository.keysOf([userId], em);
      const master = checked.find((k) => k.usage === 'master') ?? toChecked(stored.find((k) => k.usage === 'master'));
      for (const key of checked.filter((k) => k.usage !== 'master')) {
        if (!master) throw MatrixError.invalidParam('Upload a master key first');
        if (!verifyJsonSignature(key.key, userId, master.keyId, master.publicKey))
          throw new MatrixError(400, 'M_INVALID_SIGNATURE', `The ${key.usage} key is not signed by the master key`);
      }
      for (const key of checked) await this.repository.put(userId, key.usage, key.keyId, key.key, em);
      await this.deviceLists.recordChange(userId, em);
    });
  }

  /** POST /keys/signatures/upload: each signature checked; bad ones reported, not stored. */
  async uploadSignatures(
    userId: string,
    body: unknown,
  ): Promise<{ failures: Record<string, Record<string, JsonObject>> }> {
    if (!isJsonObject(body)) throw MatrixError.badJson('Expected an object of users to keys');
    const failures: Record<string, Record<string, JsonObject>> = {};
    await this.tx.run(async (em) => {
      const own = await this.repository.keysOf([userId], em);
      const accepted: KeySignature[] = [];
      for (const [targetUserId, byKey] of Object.entries(body)) {
        if (!isJsonObject(byKey)) continue;
        for (const [targetKeyId, object] of Object.entries(byKey)) {
          try {
            accepted.push(...(await this.checkSignatures(userId, own, targetUserId, targetKeyId, object, em)));
          } catch (error) {
            (failures[targetUserId] ??= {})[targetKeyId] = {
              errcode: 'M_INVALID_SIGNATURE',
              error: error instanceof Error ? error.message : 'Invalid signature',
            };
          }
        }
      }
      await this.repository.addSignatures(accepted, em);
      if (accepted.length > 0) await this.deviceLists.recordChange(userId, em);
    });
    return { failures };
  }

  /** For /keys/query: master and self-signing keys of everyone asked, the user-signing key only of the requester. */
  async view(userIds: readonly string[], requester: string | undefined, em: EntityManager): Promise<CrossSigningView> {
    const keys = await this.repository.keysOf(userIds, em);
    const signatures = await this.repository.signaturesOver(userIds, em);
    const view: CrossSigningView = {
      master_keys: {},
      self_signing_keys: {},
      user_signing_keys: {},
      deviceSignatures: [],
    };
    for (const key of keys) {
      // Others' signatures on a master key are the requester's business only when the requester made them.
      const visible = signatures.filter(
        (s) =>
          s.targetUserId === key.userId &&
          s.targetKeyId === publicPart(key.keyId) &&
          (s.signerUserId === key.userId || s.signerUserId === requester),
      );
      const withSignatures = mergeSignatures(key.key, visible);
      if (key.usage === 'master') view.master_keys[key.userId] = withSignatures;
      else if (key.usage === 'self_signing') view.self_signing_keys[key.userId] = withSignatures;
      else if (key.userId === requester) view.user_signing_keys[key.userId] = withSignatures;
    }
    const crossSigningKeys = new Set(keys.map((k) => `${k.userId}|${publicPart(k.keyId)}`));
    const deviceSignatures = signatures.filter(
      (s) => s.signerUserId === s.targetUserId && !crossSigningKeys.has(`${s.targetUserId}|${s.targetKeyId}`),
    );
    return { ...view, deviceSignatures };
  }

  private async checkSignatures(
    userId: string,
    own: readonly StoredSigningKey[],
    targetUserId: string,
    targetKeyId: string,
    object: unknown,
    em: EntityManager,
  ): Promise<KeySignature[]> {
    if (!isJsonObject(object)) throw new Error('Expected a signed key object');
    const mine =
      isJsonObject(object.signatures) && isJsonObject(object.signatures[userId])
        ? (object.signatures[userId] as Record<string, unknown>)
        : {};
    if (targetUserId === userId) {
      const device = await this.deviceKeys.deviceKeys(userId, targetKeyId, em);
      if (device) {
        const selfSigning = toChecked(own.find((k) => k.usage === 'self_signing'));
        if (!selfSigning) throw new Error('Upload a self-signing key first');
        sameKey(object, device);
        return [this.verified(object, userId, selfSigning, { targetUserId, targetKeyId }, mine)];
      }
      const master = own.find((k) => k.usage === 'master');
      if (!master || publicPart(master.keyId) !== targetKeyId) throw new Error('Unknown key');
      sameKey(object, master.key);
      const bySigningDevice = await this.deviceSignaturesOf(userId, mine, object, targetKeyId, em);
      if (bySigningDevice.length === 0) throw new Error('No valid signature by one of your devices');
      return bySigningDevice;
    }
    const userSigning = toChecked(own.find((k) => k.usage === 'user_signing'));
    if (!userSigning) throw new Error('Upload a user-signing key first');
    const usage = Array.isArray(object.usage) ? object.usage : [];
    const keys = isJsonObject(object.keys) ? object.keys : {};
    if (object.user_id !== targetUserId || !usage.includes('master') || keys[`ed25519:${targetKeyId}`] !== targetKeyId)
      throw new Error(`Not ${targetUserId}'s master key`);
    return [this.verified(object, userId, userSigning, { targetUserId, targetKeyId }, mine)];
  }

  private verified(
    object: JsonObject,
    signer: string,
    key: CheckedKey,
    target: { targetUserId: string; targetKeyId: string },
    mine: Record<string, unknown>,
  ): KeySignature {
    const signature = mine[key.keyId];
    if (typeof signature !== 'string' || !verifyJsonSignature(object, signer, key.keyId, key.publicKey))
      throw new Error(`Not validly signed by your ${key.usage} key`);
    return { signerUserId: signer, signerKeyId: key.keyId, ...target, signature };
  }

  private async deviceSignaturesOf(
    userId: string,
    mine: Record<string, unknown>,
    object: JsonObject,
    targetKeyId: string,
    em: EntityManager,
  ): Promise<KeySignature[]> {
    const accepted: KeySignature[] = [];
    for (const [signerKeyId, signature] of Object.entries(mine)) {
      if (!signerKeyId.startsWith('ed25519:') || typeof signature !== 'string') continue;
      const deviceId = signerKeyId.slice('ed25519:'.length);
      const device = await this.deviceKeys.deviceKeys(userId, deviceId, em);
      const ed25519 = isJsonObject(device?.keys) ? (device.keys as Record<string, unknown>)[signerKeyId] : undefined;
      if (typeof ed25519 === 'string' && verifyJsonSignature(object, userId, signerKeyId, decodeBase64(ed25519))) {
        accepted.push({ signerUserId: userId, signerKeyId, targetUserId: userId, targetKeyId, signature });
      }
    }
    return accepted;
  }
}

/** Spec: `{user_id, usage: [usage], keys: {"ed25519:<public key>": "<public key>"}}`, one key. */
function checkKey(value: unknown, userId: string, usage: KeyUsage): CheckedKey {
  const invalid = (why: string) => MatrixError.invalidParam(`${usage} key: ${why}`);
  if (!isJsonObject(value)) throw invalid('expected an object');
  if (value.user_id !== userId) throw invalid('user_id must be your user ID');
  if (!Array.isArray(value.usage) || !value.usage.includes(usage)) throw invalid(`usage must include ${usage}`);
  const entries = isJsonObject(value.keys) ? Object.entries(value.keys) : [];
  const [keyId, publicKey] = entries[0] ?? [];
  if (
    entries.length !== 1 ||
    typeof keyId !== 'string' ||
    typeof publicKey !== 'string' ||
    keyId !== `ed25519:${publicKey}`
  )
    throw invalid('keys must hold exactly one ed25519 key, named after itself');
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(publicKey);
  } catch {
    throw invalid('the key is not unpadded base64');
  }
  if (bytes.length !== 32) throw invalid('an ed25519 public key is 32 bytes');
  return { usage, keyId, publicKey: bytes, key: value };
}

function toChecked(stored: StoredSigningKey | undefined): CheckedKey | undefined {
  return (
    stored && {
      usage: stored.usage,
      keyId: stored.keyId,
      publicKey: decodeBase64(publicPart(stored.keyId)),
      key: stored.key,
    }
  );
}

function publicPart(keyId: string): string {
  return keyId.slice(keyId.indexOf(':') + 1);
}

function withoutSignatures(value: unknown): JsonObject {
  if (!isJsonObject(value)) return {};
  const { signatures: _signatures, unsigned: _unsigned, ...rest } = value;
  return rest;
}

function sameKey(object: JsonObject, stored: unknown): void {
  if (canonicalJson(withoutSignatures(object)) !== canonicalJson(withoutSignatures(stored)))
    throw new Error('The signed object is not the stored key');
}

/** The key as stored plus the signatures made over it since. */
export function mergeSignatures(key: JsonObject, signatures: readonly KeySignature[]): JsonObject {
  const merged: Record<string, Record<string, string>> = {};
  const existing = isJsonObject(key.signatures) ? key.signatures : {};
  for (const [signer, byKey] of Object.entries(existing))
    if (isJsonObject(byKey)) merged[signer] = { ...(byKey as Record<string, string>) };
  for (const s of signatures) (merged[s.signerUserId] ??= {})[s.signerKeyId] = s.signature;
  return { ...key, signatures: merged };
}
