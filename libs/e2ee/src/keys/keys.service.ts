import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { DevicesService } from '@hearth/accounts';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import {
  canonicalJson,
  decodeBase64,
  isValidUserId,
  parseUserId,
  verifyJsonSignature,
  type JsonObject,
} from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { DeviceListsService } from '../device-lists/device-lists.service';
import { DeviceKeysRepository, type JsonRecord, type KeyCounts, type OneTimeKey } from './device-keys.repository';
import { REMOTE_E2EE, type RemoteE2ee } from '../federation/remote-e2ee';
import { checkedRemoteDeviceKeys, keysOfUsers } from './remote-device-keys';
import { CrossSigningService, mergeSignatures } from '../cross-signing/cross-signing.service';

const KeyMap = z.record(z.string().max(255), z.union([z.string(), z.record(z.string(), z.unknown())]));
const UploadBody = z.object({
  device_keys: z
    .object({
      user_id: z.string(),
      device_id: z.string(),
      algorithms: z.array(z.string()),
      keys: z.record(z.string(), z.string()),
      signatures: z.record(z.string(), z.record(z.string(), z.string())),
    })
    .passthrough()
    .optional(),
  one_time_keys: KeyMap.optional(),
  fallback_keys: KeyMap.optional(),
});
const QueryBody = z.object({ device_keys: z.record(z.string(), z.array(z.string())), timeout: z.number().optional() });
const ClaimBody = z.object({
  one_time_keys: z.record(z.string(), z.record(z.string(), z.string())),
  timeout: z.number().optional(),
});

/** Spec `POST /keys/query` (and `/user/keys/query` for other servers, without user-signing keys). */
export interface KeysQueryAnswer {
  device_keys: Record<string, Record<string, JsonRecord>>;
  master_keys: Record<string, JsonObject>;
  self_signing_keys: Record<string, JsonObject>;
  user_signing_keys: Record<string, JsonObject>;
}

interface Device {
  readonly userId: string;
  readonly deviceId: string;
}

/**
 * Spec CS API "Key management API": device identity keys, one-time and fallback keys, for local
 * users, and through federation for users of other servers (whose servers that cannot be asked
 * are listed in `failures`). Signatures are checked with the device's own ed25519 key.
 */
@Injectable()
export class KeysService {
  constructor(
    private readonly keys: DeviceKeysRepository,
    private readonly devices: DevicesService,
    private readonly deviceLists: DeviceListsService,
    private readonly tx: TransactionRunner,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(REMOTE_E2EE) private readonly remote: RemoteE2ee,
    private readonly crossSigning: CrossSigningService,
  ) {}

  /** POST /keys/upload */
  async upload(device: Device, body: unknown): Promise<{ one_time_key_counts: Record<string, number> }> {
    const parsed = UploadBody.safeParse(body);
    if (!parsed.success)
      throw MatrixError.badJson(`Invalid key upload: ${parsed.error.issues[0]?.message ?? 'malformed'}`);
    const upload = parsed.data;
    return this.tx.run(async (em) => {
      const stored = await this.keys.deviceKeys(device.userId, device.deviceId, em);
      let identity = stored;
      if (upload.device_keys) {
        const keys = upload.device_keys as JsonRecord;
        checkDeviceKeys(device, keys);
        if (stored && canonicalJson(withoutUnsigned(stored)) !== canonicalJson(withoutUnsigned(keys))) {
          throw MatrixError.invalidParam(
            'This device already has different identity keys; a new key set needs a new device',
          );
        }
        if (!stored) {
          await this.keys.putDeviceKeys(device.userId, device.deviceId, withoutUnsigned(keys), em);
          await this.deviceLists.recordChange(device.userId, em, [{ deviceId: device.deviceId }]);
        }
        identity = keys;
      }
      const oneTime = toKeys(upload.one_time_keys ?? {});
      const fallback = toKeys(upload.fallback_keys ?? {});
      if ((oneTime.length > 0 || fallback.length > 0) && !identity)
        throw MatrixError.invalidParam('Upload the device keys before one-time or fallback keys');
      for (const key of [...oneTime, ...fallback]) checkKeySignature(device, key, identity as JsonRecord);
      const existing = await this.keys.existingOneTimeKeys(device.userId, device.deviceId, oneTime, em);
      for (const key of oneTime) {
        const earlier = existing.get(`${key.algorithm}:${key.keyId}`);
        if (earlier !== undefined && canonicalJson(earlier) !== canonicalJson(key.key))
          throw MatrixError.invalidParam(
            `One-time key ${key.algorithm}:${key.keyId} already exists with other content`,
          );
      }
      await this.keys.addOneTimeKeys(device.userId, device.deviceId, oneTime, em);
      await this.keys.putFallbackKeys(device.userId, device.deviceId, fallback, em);
      return { one_time_key_counts: await this.keys.oneTimeKeyCounts(device.userId, device.deviceId, em) };
    });
  }

  /** POST /keys/query */
  async query(body: unknown, requester?: string): Promise<KeysQueryAnswer & { failures: Record<string, JsonObject> }> {
    const parsed = QueryBody.safeParse(body);
    if (!parsed.success) throw MatrixError.badJson('device_keys must map user IDs to lists of device IDs');
    const { local, remote } = this.splitByServer(Object.keys(parsed.data.device_keys));
    const result = await this.queryLocal(
      Object.fromEntries(local.map((userId) => [userId, parsed.data.device_keys[userId] ?? []])),
      requester,
    );
    const failures: Record<string, JsonObject> = {};
    await Promise.all(
      [...remote].map(async ([server, userIds]) => {
        const asked = Object.fromEntries(userIds.map((userId) => [userId, parsed.data.device_keys[userId] ?? []]));
        try {
          const answer = await this.remote.queryKeys(server, asked, timeoutOf(parsed.data.timeout));
          Object.assign(result.device_keys, checkedRemoteDeviceKeys(answer.device_keys, userIds));
          Object.assign(result.master_keys, keysOfUsers(answer.master_keys, userIds));
          Object.assign(result.self_signing_keys, keysOfUsers(answer.self_signing_keys, userIds));
        } catch (error) {
          failures[server] = failureOf(error);
        }
      }),
    );
    return { ...result, failures };
  }

  /**
   * What other servers see of our users' keys: device display names only when the operator allows
   * it (privacy.device_names_over_federation, off as Synapse's allow_device_name_lookup_over_federation).
   */
  queryForServers(deviceKeys: Readonly<Record<string, readonly string[]>>): Promise<KeysQueryAnswer> {
    return this.queryLocal(deviceKeys, undefined, this.config.privacy.deviceNamesOverFederation);
  }

  /** Keys of this server's users only, as /keys/query answers our own clients. */
  async queryLocal(
    deviceKeys: Readonly<Record<string, readonly string[]>>,
    requester?: string,
    withDisplayNames = true,
  ): Promise<KeysQueryAnswer> {
    const local = Object.keys(deviceKeys).filter(
      (userId) => isValidUserId(userId) && parseUserId(userId).serverName === this.config.serverName,
    );
    const wanted = local.map((userId) => ({ userId, deviceIds: [...(deviceKeys[userId] ?? [])] }));
    const [found, crossSigning] = await this.tx.read(
      async (em) => [await this.keys.keysOf(wanted, em), await this.crossSigning.view(local, requester, em)] as const,
    );
    const result: Record<string, Record<string, JsonRecord>> = Object.fromEntries(local.map((userId) => [userId, {}]));
    for (const userId of local) {
      const names = new Map(
        (await this.devices.list(userId)).map((d) => [d.deviceId, withDisplayNames ? d.displayName : null]),
      );
      for (const row of found.filter((r) => r.userId === userId && names.has(r.deviceId))) {
        const displayName = names.get(row.deviceId);
        const signatures = crossSigning.deviceSignatures.filter(
          (s) => s.targetUserId === userId && s.targetKeyId === row.deviceId,
        );
        const keys = signatures.length > 0 ? mergeSignatures(row.keys as JsonObject, signatures) : row.keys;
        (result[userId] as Record<string, JsonRecord>)[row.deviceId] = {
          ...keys,
          ...(displayName ? { unsigned: { device_display_name: displayName } } : {}),
        };
      }
    }
    const { master_keys, self_signing_keys, user_signing_keys } = crossSigning;
    return { device_keys: result, master_keys, self_signing_keys, user_signing_keys };
  }

  /** POST /keys/claim */
  async claim(body: unknown): Promise<{
    one_time_keys: Record<string, Record<string, Record<string, unknown>>>;
    failures: Record<string, JsonObject>;
  }> {
    const parsed = ClaimBody.safeParse(body);
    if (!parsed.success) throw MatrixError.badJson('one_time_keys must map user IDs to device IDs to algorithms');
    const { local, remote } = this.splitByServer(Object.keys(parsed.data.one_time_keys));
    const claimed = await this.claimLocal(
      Object.fromEntries(local.map((userId) => [userId, parsed.data.one_time_keys[userId] ?? {}])),
    );
    const failures: Record<string, JsonObject> = {};
    await Promise.all(
      [...remote].map(async ([server, userIds]) => {
        const asked = Object.fromEntries(userIds.map((userId) => [userId, parsed.data.one_time_keys[userId] ?? {}]));
        try {
          const answer = await this.remote.claimKeys(server, asked, timeoutOf(parsed.data.timeout));
          for (const userId of userIds) {
            const keys = answer.one_time_keys[userId];
            if (keys) claimed.one_time_keys[userId] = keys;
          }
        } catch (error) {
          failures[server] = failureOf(error);
        }
      }),
    );
    return { one_time_keys: claimed.one_time_keys, failures };
  }

  /** Claims for this server's users only; each one-time key is handed out once, then the fallback key. */
  async claimLocal(
    oneTimeKeys: Readonly<Record<string, Readonly<Record<string, string>>>>,
  ): Promise<{ one_time_keys: Record<string, Record<string, Record<string, unknown>>> }> {
    const local = Object.keys(oneTimeKeys).filter(
      (userId) => isValidUserId(userId) && parseUserId(userId).serverName === this.config.serverName,
    );
    const claimed: Record<string, Record<string, Record<string, unknown>>> = {};
    await this.tx.run(async (em) => {
      for (const userId of local) {
        for (const [deviceId, algorithm] of Object.entries(oneTimeKeys[userId] ?? {})) {
          const key = await this.keys.claim(userId, deviceId, algorithm, em);
          if (!key) continue;
          ((claimed[userId] ??= {})[deviceId] ??= {})[`${key.algorithm}:${key.keyId}`] = key.key;
        }
      }
    });
    return { one_time_keys: claimed };
  }

  /** For sync: the device's one-time key counts and the algorithms of its unused fallback keys. */
  async countsFor(userId: string, deviceId: string, em: EntityManager): Promise<KeyCounts> {
    return this.keys.keyCounts(userId, deviceId, em);
  }

  private splitByServer(userIds: readonly string[]): { local: string[]; remote: Map<string, string[]> } {
    const local: string[] = [];
    const remote = new Map<string, string[]>();
    for (const userId of userIds) {
      if (!isValidUserId(userId)) throw MatrixError.invalidParam(`${userId} is not a user ID`);
      const server = parseUserId(userId).serverName;
      if (server === this.config.serverName) local.push(userId);
      else remote.set(server, [...(remote.get(server) ?? []), userId]);
    }
    return { local, remote };
  }
}

function checkDeviceKeys(device: Device, keys: JsonRecord): void {
  if (keys.user_id !== device.userId || keys.device_id !== device.deviceId)
    throw MatrixError.invalidParam('device_keys must be for the device that uploads them');
  const ed25519 = (keys.keys as Record<string, string>)[`ed25519:${device.deviceId}`];
  if (!ed25519) throw MatrixError.invalidParam(`device_keys must hold the device's ed25519:${device.deviceId} key`);
  if (!verifyJsonSignature(keys as JsonObject, device.userId, `ed25519:${device.deviceId}`, publicKeyBytes(ed25519))) {
    throw MatrixError.invalidParam('device_keys are not signed by the device key they hold');
  }
}

/** Signed keys (objects) must carry the device's signature; bare keys (strings) carry none. */
function checkKeySignature(device: Device, key: OneTimeKey, identity: JsonRecord): void {
  if (typeof key.key === 'string') return;
  const ed25519 = (identity.keys as Record<string, string> | undefined)?.[`ed25519:${device.deviceId}`];
  if (
    !ed25519 ||
    !verifyJsonSignature(key.key as JsonObject, device.userId, `ed25519:${device.deviceId}`, publicKeyBytes(ed25519))
  ) {
    throw MatrixError.invalidParam(`Key ${key.algorithm}:${key.keyId} is not signed by the device`);
  }
}

function publicKeyBytes(base64: string): Uint8Array {
  try {
    return decodeBase64(base64);
  } catch {
    throw MatrixError.invalidParam('An ed25519 key is not valid unpadded base64');
  }
}

function toKeys(map: Record<string, unknown>): OneTimeKey[] {
  return Object.entries(map).map(([id, key]) => {
    const colon = id.indexOf(':');
    if (colon <= 0 || colon === id.length - 1) throw MatrixError.invalidParam(`Key ID ${id} is not algorithm:id`);
    return { algorithm: id.slice(0, colon), keyId: id.slice(colon + 1), key };
  });
}

function withoutUnsigned(keys: JsonRecord): JsonRecord {
  const { unsigned: _unsigned, ...rest } = keys;
  return rest;
}

/** Spec: a client's `timeout` for remote servers, 10 s by default, at most a minute. */
function timeoutOf(timeout: number | undefined): number {
  return Math.min(Math.max(timeout ?? 10_000, 1000), 60_000);
}

function failureOf(error: unknown): JsonObject {
  return { errcode: 'M_UNAVAILABLE', error: error instanceof Error ? error.message : 'The server could not be asked' };
}
