import { decodeBase64, isJsonObject, verifyJsonSignature, type JsonObject } from '@hearth/protocol';
import type { JsonRecord } from './device-keys.repository';

/**
 * Device keys another server returned for its users: only the users asked about, and only
 * devices whose keys name that user and device and are signed by the device's own ed25519 key,
 * so that a server cannot slip in keys its users never made.
 */
export function checkedRemoteDeviceKeys(
  listed: Readonly<Record<string, unknown>>,
  userIds: readonly string[],
): Record<string, Record<string, JsonRecord>> {
  const result: Record<string, Record<string, JsonRecord>> = {};
  for (const userId of userIds) {
    const devices = listed[userId];
    result[userId] = {};
    if (!isJsonObject(devices)) continue;
    for (const [deviceId, keys] of Object.entries(devices)) {
      if (isJsonObject(keys) && isSelfSigned(keys, userId, deviceId)) result[userId][deviceId] = keys;
    }
  }
  return result;
}

function isSelfSigned(keys: JsonObject, userId: string, deviceId: string): boolean {
  if (keys.user_id !== userId || keys.device_id !== deviceId || !isJsonObject(keys.keys)) return false;
  const ed25519 = keys.keys[`ed25519:${deviceId}`];
  if (typeof ed25519 !== 'string') return false;
  try {
    return verifyJsonSignature(keys, userId, `ed25519:${deviceId}`, decodeBase64(ed25519));
  } catch {
    return false;
  }
}

/** Another server's cross-signing keys for the users asked about, each naming its own user. */
export function keysOfUsers(listed: unknown, userIds: readonly string[]): Record<string, JsonObject> {
  if (!isJsonObject(listed)) return {};
  const result: Record<string, JsonObject> = {};
  for (const userId of userIds) {
    const key = listed[userId];
    if (isJsonObject(key) && key.user_id === userId) result[userId] = key;
  }
  return result;
}
