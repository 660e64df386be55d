import { createHash } from 'node:crypto';
import { encodeBase64, encodeBase64Url } from './base64';
import { ProtocolError } from './errors';
import { canonicalJson, type JsonObject } from './json';
import { redactEvent } from './redaction';
import type { RoomVersion } from './room-versions';
import { signCanonical, signJson } from './signing';
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
  return eventIdOf(computeReferenceHash(event, version), version);
}

function eventIdOf(hash: Uint8Array, version: RoomVersion): string {
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

/**
 * A new event of this server, hashed and signed as `signEvent` does, with its event ID. What a
 * server signs (the redacted event without signatures and unsigned) is exactly what the
 * reference hash covers, so one canonical form serves both.
 */
export function signNewEvent(
  event: JsonObject,
  serverName: string,
  key: SigningKey,
  version: RoomVersion,
): { event: JsonObject; eventId: string } {
  const hashed = addContentHash(event);
  const { signatures: _signatures, unsigned: _unsigned, ...redacted } = redactEvent(hashed, version);
  const canonical = canonicalJson(redacted);
  const signatures = { [serverName]: { [key.keyId]: signCanonical(canonical, key) } };
  return { event: { ...hashed, signatures }, eventId: eventIdOf(sha256(canonical), version) };
}

/** Adds a server's signature to an already hashed event (an invitee's server countersigning an invite). */
export function countersignEvent(
  event: JsonObject,
  serverName: string,
  key: SigningKey,
  version: RoomVersion,
): JsonObject {
  const signedRedacted = signJson(redactEvent(event, version), serverName, key);
  return { ...event, signatures: signedRedacted.signatures as JsonObject };
}
