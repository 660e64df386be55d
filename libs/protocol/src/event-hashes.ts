import { createHash } from 'node:crypto';
import { encodeBase64, encodeBase64Url } from './base64';
import { ProtocolError } from './errors';
import { canonicalJson, type JsonObject } from './json';
import { redactEvent } from './redaction';
import type { RoomVersion } from './room-versions';
import { signJson } from './signing';
import type { SigningKey } from './signing-key';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Spec SS API "Calculating the content hash for an event": without unsigned, signatures, hashes. */
export function computeContentHash(event: JsonObject): string {
  const { unsigned: _unsigned, signatures: _signatures, hashes: _hashes, ...rest } = event;
  return encodeBase64(sha256(canonicalJson(rest)));
}

export function addContentHash(event: JsonObject): JsonObject {
  return { ...event, hashes: { sha256: computeContentHash(event) } };
}

/** False when the hash is missing or does not match (the spec then redacts the event). */
export function checkContentHash(event: JsonObject): boolean {
  const hashes = event.hashes as JsonObject | undefined;
  return typeof hashes?.sha256 === 'string' && hashes.sha256 === computeContentHash(event);
}

/** Spec "Reference Hashes": sha256 of the redacted event without signatures and unsigned. */
export function computeReferenceHash(event: JsonObject, version: RoomVersion): Uint8Array {
  const { signatures: _signatures, unsigned: _unsigned, ...rest } = redactEvent(event, version);
  return sha256(canonicalJson(rest));
}

/** Event IDs from room version 3 on; versions 1–2 carry theirs in the event. */
export function computeEventId(event: JsonObject, version: RoomVersion): string {
  const hash = computeReferenceHash(event, version);
  switch (version.eventIdFormat) {
    case 'v3':
      return `$${encodeBase64(hash)}`;
    case 'v4':
      return `$${encodeBase64Url(hash)}`;
    case 'v1':
      throw new ProtocolError('BAD_JSON', `Room version ${version.id} events carry their own event_id`);
  }
}

/**
 * Spec "Signing Events": hash the full event, sign its redacted form, and attach the
 * signature to the full event, so that the signature survives a later redaction.
 */
export function signEvent(event: JsonObject, serverName: string, key: SigningKey, version: RoomVersion): JsonObject {
  const hashed = addContentHash(event);
  const signedRedacted = signJson(redactEvent(hashed, version), serverName, key);
  return { ...hashed, signatures: signedRedacted.signatures as JsonObject };
}

/** Adds a server's signature to an already hashed event (an invitee's server countersigning an invite). */
export function countersignEvent(event: JsonObject, serverName: string, key: SigningKey, version: RoomVersion): JsonObject {
  const signedRedacted = signJson(redactEvent(event, version), serverName, key);
  return { ...event, signatures: signedRedacted.signatures as JsonObject };
}
