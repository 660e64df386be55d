import { Injectable } from '@nestjs/common';
import { RemoteKeysService } from '@hearth/federation-client';
import {
  canonicalJson,
  checkContentHash,
  computeEventId,
  isJsonObject,
  isValidUserId,
  MAX_EVENT_DEPTH,
  parseUserId,
  redactEvent,
  type JsonObject,
  type JsonValue,
  type RoomEvent,
  type RoomVersion,
  unstorableJsonReason,
} from '@hearth/protocol';

const MAX_PDU_BYTES = 65_536;

/**
 * How deep a federation transaction (or any remote answer holding PDUs) may nest before we stop
 * looking: far beyond the events we accept (MAX_EVENT_DEPTH), so that a peer whose server allows
 * deeper events (Synapse stops near Python's recursion limit of 1000) loses only those PDUs, yet
 * well within what canonical JSON and hashing can recurse through.
 */
export const MAX_TRANSACTION_DEPTH = 512;
const MAX_PREV_EVENTS = 20;
const MAX_AUTH_EVENTS = 10;

/** A PDU dropped at steps 1–2 of the receipt checks: malformed, or not signed as it must be. */
export class InvalidPduError extends Error {
  constructor(
    reason: string,
    /** Set when the PDU was well-formed enough to name, so that a transaction's answer can report it. */
    readonly eventId?: string,
  ) {
    super(reason);
    this.name = 'InvalidPduError';
  }
}

/**
 * Spec SS API "Checks performed on receipt of a PDU", steps 1–3: a valid event of its room
 * version, signed by the sender's server (and by the authorising server of a restricted join),
 * with a matching content hash, or else redacted before anything uses it.
 */
@Injectable()
export class PduVerifier {
  constructor(private readonly keys: RemoteKeysService) {}

  async verify(pdu: unknown, version: RoomVersion, expectedRoomId?: string): Promise<RoomEvent> {
    const checked = checkFormat(pdu, version);
    const eventId = computeEventId(checked, version);
    // Spec room versions 6+ discard events that are not valid canonical JSON; we do the same with
    // events we could not store (U+0000), hash as sent (a lone surrogate has no UTF-8 form) or pass
    // on to other Hearth servers (deeper than our clients may send), whichever way they arrive,
    // and name them in a transaction's answer.
    const unstorable = unstorableJsonReason(checked, { maxDepth: MAX_EVENT_DEPTH });
    if (unstorable !== undefined) throw new InvalidPduError(`${eventId}: ${unstorable}`, eventId);
    const roomId = typeof checked.room_id === 'string' ? checked.room_id : `!${eventId.slice(1)}`;
    if (expectedRoomId !== undefined && roomId !== expectedRoomId)
      throw new InvalidPduError(`${eventId} belongs to another room`);
    const validAt = version.enforceKeyValidity ? (checked.origin_server_ts as number) : 0;
    // Event signatures cover the redacted event, so that they survive redaction.
    const redacted = redactEvent(checked, version);
    for (const server of signingServers(checked, version)) {
      if (!(await this.keys.isSignedBy(redacted, server, validAt)))
        throw new InvalidPduError(`${eventId} is not signed by ${server}`);
    }
    const event = checkContentHash(checked) ? checked : redacted;
    return { ...(event as unknown as Omit<RoomEvent, 'event_id' | 'room_id'>), event_id: eventId, room_id: roomId };
  }
}

function checkFormat(pdu: unknown, version: RoomVersion): JsonObject {
  if (!isJsonObject(pdu)) throw new InvalidPduError('a PDU is a JSON object');
  const {
    type,
    sender,
    room_id: roomId,
    content,
    origin_server_ts: ts,
    depth,
    prev_events: prev,
    auth_events: auth,
    state_key: stateKey,
    hashes,
  } = pdu;
  const isV12Create = version.roomIdFromCreateEvent && type === 'm.room.create';
  if (typeof type !== 'string' || type.length === 0) throw new InvalidPduError('type must be a non-empty string');
  if (typeof sender !== 'string' || !isValidUserId(sender)) throw new InvalidPduError('sender must be a user ID');
  if (!isV12Create && typeof roomId !== 'string') throw new InvalidPduError('room_id must be a string');
  if (isV12Create && roomId !== undefined) throw new InvalidPduError('a v12 create event has no room_id');
  if (!isJsonObject(content)) throw new InvalidPduError('content must be an object');
  if (!Number.isSafeInteger(ts) || !Number.isSafeInteger(depth) || (depth as number) < 0)
    throw new InvalidPduError('origin_server_ts and depth must be integers');
  if (!isIdList(prev, MAX_PREV_EVENTS) || !isIdList(auth, MAX_AUTH_EVENTS))
    throw new InvalidPduError('prev_events and auth_events must be short lists of event IDs');
  if (stateKey !== undefined && typeof stateKey !== 'string') throw new InvalidPduError('state_key must be a string');
  if (!isJsonObject(hashes) || typeof hashes.sha256 !== 'string')
    throw new InvalidPduError('hashes.sha256 is required');
  if (!isJsonObject(pdu.signatures)) throw new InvalidPduError('signatures are required');
  // Before anything that recurses through the PDU (canonical JSON, hashing).
  const tooDeep = unstorableJsonReason(pdu, { strings: false, maxDepth: MAX_TRANSACTION_DEPTH });
  if (tooDeep !== undefined) throw new InvalidPduError(tooDeep);
  if (version.strictCanonicalJson && !hasOnlySafeIntegers(pdu))
    throw new InvalidPduError('numbers must be integers within ±(2^53 - 1)');
  if (Buffer.byteLength(canonicalJson(pdu), 'utf8') > MAX_PDU_BYTES)
    throw new InvalidPduError('the PDU is larger than 65536 bytes');
  return pdu;
}

/** The sender's server; for a restricted join also the server of the user who authorised it. */
function signingServers(pdu: JsonObject, version: RoomVersion): string[] {
  const servers = new Set([parseUserId(pdu.sender as string).serverName]);
  const content = pdu.content as JsonObject;
  const via = content.join_authorised_via_users_server;
  if (
    version.restrictedJoinRule &&
    pdu.type === 'm.room.member' &&
    content.membership === 'join' &&
    typeof via === 'string' &&
    isValidUserId(via)
  ) {
    servers.add(parseUserId(via).serverName);
  }
  return [...servers];
}

function isIdList(value: unknown, max: number): boolean {
  return (
    Array.isArray(value) && value.length <= max && value.every((id) => typeof id === 'string' && id.startsWith('$'))
  );
}

function hasOnlySafeIntegers(value: JsonValue): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value);
  if (Array.isArray(value)) return value.every(hasOnlySafeIntegers);
  if (isJsonObject(value)) return Object.values(value).every(hasOnlySafeIntegers);
  return true;
}
