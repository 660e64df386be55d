import { decodeBase64, isJsonObject, verifyJsonSignature, type JsonObject } from '@hearth/protocol';

/** A server's key document, checked: every current key signed it. */
export interface VerifiedKeyDocument {
  readonly serverName: string;
  readonly validUntilTs: number;
  readonly verifyKeys: ReadonlyMap<string, Uint8Array>;
  readonly oldVerifyKeys: ReadonlyMap<string, { readonly key: Uint8Array; readonly expiredTs: number }>;
  readonly document: JsonObject;
}

/**
 * Spec SS API "Retrieving server keys": the document names the server we asked about and is
 * signed by each of its `verify_keys`. Undefined for anything else; never throws.
 */
export function verifyKeyDocument(document: unknown, expectedServer: string): VerifiedKeyDocument | undefined {
  if (!isJsonObject(document)) return undefined;
  const {
    server_name: serverName,
    valid_until_ts: validUntilTs,
    verify_keys: verifyKeys,
    old_verify_keys: oldVerifyKeys,
  } = document;
  if (serverName !== expectedServer || typeof validUntilTs !== 'number' || !isJsonObject(verifyKeys)) return undefined;
  const current = new Map<string, Uint8Array>();
  for (const [keyId, entry] of Object.entries(verifyKeys)) {
    const key = publicKeyOf(keyId, entry);
    if (!key || !verifyJsonSignature(document, serverName, keyId, key)) return undefined;
    current.set(keyId, key);
  }
  if (current.size === 0) return undefined;
  const old = new Map<string, { key: Uint8Array; expiredTs: number }>();
  if (isJsonObject(oldVerifyKeys)) {
    for (const [keyId, entry] of Object.entries(oldVerifyKeys)) {
      const key = publicKeyOf(keyId, entry);
      const expiredTs = isJsonObject(entry) ? entry.expired_ts : undefined;
      if (key && typeof expiredTs === 'number') old.set(keyId, { key, expiredTs });
    }
  }
  return { serverName, validUntilTs, verifyKeys: current, oldVerifyKeys: old, document };
}

function publicKeyOf(keyId: string, entry: unknown): Uint8Array | undefined {
  if (!keyId.startsWith('ed25519:') || !isJsonObject(entry) || typeof entry.key !== 'string') return undefined;
  try {
    const key = decodeBase64(entry.key);
    return key.length === 32 ? key : undefined;
  } catch {
    return undefined;
  }
}
