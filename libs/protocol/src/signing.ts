import { sign, verify } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './base64';
import { canonicalJson, isJsonObject, type JsonObject } from './json';
import { publicKeyObject, type SigningKey } from './signing-key';

export type Signatures = Record<string, Record<string, string>>;

/**
 * Spec appendix "Signing JSON": sign the canonical form without `signatures` and `unsigned`,
 * then add the signature beside any existing ones. Returns a new object.
 */
export function signJson<T extends JsonObject>(object: T, signingName: string, key: SigningKey): T {
  const { signatures, unsigned, ...rest } = object;
  const signature = signCanonical(canonicalJson(rest), key);
  const existing = isJsonObject(signatures) ? (signatures as Signatures) : {};
  const merged: Signatures = {
    ...existing,
    [signingName]: { ...(existing[signingName] ?? {}), [key.keyId]: signature },
  };
  return { ...rest, signatures: merged, ...(unsigned === undefined ? {} : { unsigned }) } as unknown as T;
}

/** The unpadded base64 ed25519 signature of an object's canonical JSON, as `signJson` adds it. */
export function signCanonical(canonical: string, key: SigningKey): string {
  return encodeBase64(sign(null, Buffer.from(canonical, 'utf8'), key.privateKeyObject));
}

/** Spec "Checking for a Signature". False for anything missing or malformed; never throws. */
export function verifyJsonSignature(
  object: JsonObject,
  signingName: string,
  keyId: string,
  publicKey: Uint8Array,
): boolean {
  try {
    const signatures = object.signatures as Signatures | undefined;
    const signature = signatures?.[signingName]?.[keyId];
    if (typeof signature !== 'string') return false;
    const { signatures: _signatures, unsigned: _unsigned, ...rest } = object;
    return verify(null, Buffer.from(canonicalJson(rest), 'utf8'), publicKeyObject(publicKey), decodeBase64(signature));
  } catch {
    return false;
  }
}
