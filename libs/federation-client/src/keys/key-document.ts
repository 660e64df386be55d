import { decodeBase64, OldVerifyKey, ServerKeyDocument, verifyJsonSignature, type JsonObject } from '@hearth/protocol';

/** A server's key document, checked: every current key signed it. */
export interface VerifiedKeyDocument {
  readonly serverName: string;
  readonly validUntilTs: number;
  readonly verifyKeys: ReadonlyMap<string, Uint8Array>;
  readonly oldVerifyKeys: ReadonlyMap<string, { readonly key: Uint8Array; readonly expiredTs: number }>;
  readonly document: JsonObject;
}

/**
 * Spec SS API "Retrieving server keys": the document has the shape of one (ServerKeyDocument),
 * names the server we asked about and is signed by each of its `verify_keys`. Undefined for
 * anything else; never throws. Signatures are checked on the document as it came, unknown
 * fields and all.
 */
export function verifyKeyDocument(document: unknown, expectedServer: string): VerifiedKeyDocument | undefined {
  const parsed = ServerKeyDocument.safeParse(document);
  if (!parsed.success || parsed.data.server_name !== expectedServer) return undefined;
  const received = document as JsonObject;
  const current = new Map<string, Uint8Array>();
  for (const [keyId, entry] of Object.entries(parsed.data.verify_keys)) {
    const key = publicKeyOf(keyId, entry.key);
    if (!key || !verifyJsonSignature(received, expectedServer, keyId, key)) return undefined;
    current.set(keyId, key);
  }
  if (current.size === 0) return undefined;
  const old = new Map<string, { key: Uint8Array; expiredTs: number }>();
  for (const [keyId, entry] of Object.entries(parsed.data.old_verify_keys ?? {})) {
    // A malformed old key costs only itself.
    const oldKey = OldVerifyKey.safeParse(entry);
    if (!oldKey.success) continue;
    const key = publicKeyOf(keyId, oldKey.data.key);
    if (key) old.set(keyId, { key, expiredTs: oldKey.data.expired_ts });
  }
  return {
    serverName: expectedServer,
    validUntilTs: parsed.data.valid_until_ts,
    verifyKeys: current,
    oldVerifyKeys: old,
    document: received,
  };
}

function publicKeyOf(keyId: string, encoded: string): Uint8Array | undefined {
  if (!keyId.startsWith('ed25519:')) return undefined;
  try {
    const key = decodeBase64(encoded);
    return key.length === 32 ? key : undefined;
  } catch {
    return undefined;
  }
}
