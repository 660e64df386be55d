import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { DevicesService } from '@hearth/accounts';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { canonicalJson, decodeBase64, isValidUserId, parseUserId, verifyJsonSignature, type JsonObject } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { DeviceListsService } from '../device-lists/device-lists.service';
import { DeviceKeysRepository, type JsonRecord, type OneTimeKey } from './device-keys.repository';

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
const ClaimBody = z.object({ one_time_keys: z.record(z.string(), z.record(z.string(), z.string())), timeout: z.number().optional() });

interface Device {
  readonly userId: string;
  readonly deviceId: string;
}

/**
 * Spec CS API "Key management API": device identity keys, one-time and fallback keys, for local
 * users. Signatures are checked with the device's own ed25519 key. Users on other servers are
 * reported in `failures` until federation (issue 6) can ask their servers.
 */
@Injectable()
export class KeysService {
  constructor(
    private readonly keys: DeviceKeysRepository,
    private readonly devices: DevicesService,
    private readonly deviceLists: DeviceListsService,
    private readonly tx: TransactionRunner,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
  ) {}

  /** POST /keys/upload */
  async upload(device: Device, body: unknown): Promise<{ one_time_key_counts: Record<string, number> }> {
    const parsed = UploadBody.safeParse(body);
    if (!parsed.success) throw MatrixError.badJson(`Invalid key upload: ${parsed.error.issues[0]?.message ?? 'malformed'}`);
    const upload = parsed.data;
    return this.tx.run(async (em) => {
      const stored = await this.keys.deviceKeys(device.userId, device.deviceId, em);
      let identity = stored;
      if (upload.device_keys) {
        const keys = upload.device_keys as JsonRecord;
        checkDeviceKeys(device, keys);
        if (stored && canonicalJson(withoutUnsigned(stored)) !== canonicalJson(withoutUnsigned(keys))) {
          throw MatrixError.invalidParam('This device already has different identity keys; a new key set needs a new device');
        }
        if (!stored) {
          await this.keys.putDeviceKeys(device.userId, device.deviceId, withoutUnsigned(keys), em);
          await this.deviceLists.recordChange(device.userId, em);
        }
        identity = keys;
      }
      const oneTime = toKeys(upload.one_time_keys ?? {});
      const fallback = toKeys(upload.fallback_keys ?? {});
      if ((oneTime.length > 0 || fallback.length > 0) && !identity) throw MatrixError.invalidParam('Upload the device keys before one-time or fallback keys');
      for (const key of [...oneTime, ...fallback]) checkKeySignature(device, key, identity as JsonRecord);
      const existing = await this.keys.existingOneTimeKeys(device.userId, device.deviceId, oneTime, em);
      for (const key of oneTime) {
        const earlier = existing.get(`${key.algorithm}:${key.keyId}`);
        if (earlier !== undefined && canonicalJson(earlier) !== canonicalJson(key.key)) throw MatrixError.invalidParam(`One-time key ${key.algorithm}:${key.keyId} already exists with other content`);
      }
      await this.keys.addOneTimeKeys(device.userId, device.deviceId, oneTime, em);
      await this.keys.putFallbackKeys(device.userId, device.deviceId, fallback, em);
      return { one_time_key_counts: await this.keys.oneTimeKeyCounts(device.userId, device.deviceId, em) };
    });
  }

  /** POST /keys/query */
  async query(body: unknown): Promise<{ device_keys: Record<string, Record<string, JsonRecord>>; failures: Record<string, JsonObject> }> {
    const parsed = QueryBody.safeParse(body);
    if (!parsed.success) throw MatrixError.badJson('device_keys must map user IDs to lists of device IDs');
    const { local, failures } = this.splitLocal(Object.keys(parsed.data.device_keys));
    const wanted = local.map((userId) => ({ userId, deviceIds: parsed.data.device_keys[userId] ?? [] }));
    const found = await this.tx.read((em) => this.keys.keysOf(wanted, em));
    const result: Record<string, Record<string, JsonRecord>> = Object.fromEntries(local.map((userId) => [userId, {}]));
    for (const userId of local) {
      const names = new Map((await this.devices.list(userId)).map((d) => [d.deviceId, d.displayName]));
      for (const row of found.filter((r) => r.userId === userId && names.has(r.deviceId))) {
        const displayName = names.get(row.deviceId);
        (result[userId] as Record<string, JsonRecord>)[row.deviceId] = { ...row.keys, ...(displayName ? { unsigned: { device_display_name: displayName } } : {}) };
      }
    }
    return { device_keys: result, failures };
  }

  /** POST /keys/claim */
  async claim(body: unknown): Promise<{ one_time_keys: Record<string, Record<string, Record<string, unknown>>>; failures: Record<string, JsonObject> }> {
    const parsed = ClaimBody.safeParse(body);
    if (!parsed.success) throw MatrixError.badJson('one_time_keys must map user IDs to device IDs to algorithms');
    const { local, failures } = this.splitLocal(Object.keys(parsed.data.one_time_keys));
    const claimed: Record<string, Record<string, Record<string, unknown>>> = {};
    await this.tx.run(async (em) => {
      for (const userId of local) {
        for (const [deviceId, algorithm] of Object.entries(parsed.data.one_time_keys[userId] ?? {})) {
          const key = await this.keys.claim(userId, deviceId, algorithm, em);
          if (!key) continue;
          ((claimed[userId] ??= {})[deviceId] ??= {})[`${key.algorithm}:${key.keyId}`] = key.key;
        }
      }
    });
    return { one_time_keys: claimed, failures };
  }

  /** For sync: the device's one-time key counts and the algorithms of its unused fallback keys. */
  async countsFor(userId: string, deviceId: string, em: EntityManager): Promise<{ oneTimeKeyCounts: Record<string, number>; unusedFallbackTypes: string[] }> {
    return {
      oneTimeKeyCounts: await this.keys.oneTimeKeyCounts(userId, deviceId, em),
      unusedFallbackTypes: await this.keys.unusedFallbackAlgorithms(userId, deviceId, em),
    };
  }

  private splitLocal(userIds: readonly string[]): { local: string[]; failures: Record<string, JsonObject> } {
    const local: string[] = [];
    const failures: Record<string, JsonObject> = {};
    for (const userId of userIds) {
      if (!isValidUserId(userId)) throw MatrixError.invalidParam(`${userId} is not a user ID`);
      const server = parseUserId(userId).serverName;
      if (server === this.config.serverName) local.push(userId);
      else failures[server] = { errcode: 'M_UNAVAILABLE', error: 'Federation is not available yet' };
    }
    return { local, failures };
  }
}

function checkDeviceKeys(device: Device, keys: JsonRecord): void {
  if (keys.user_id !== device.userId || keys.device_id !== device.deviceId) throw MatrixError.invalidParam('device_keys must be for the device that uploads them');
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
  if (!ed25519 || !verifyJsonSignature(key.key as JsonObject, device.userId, `ed25519:${device.deviceId}`, publicKeyBytes(ed25519))) {
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
