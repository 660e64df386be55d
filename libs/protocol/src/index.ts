export {
  AuthError,
  authEventTypesFor,
  authorizeEvent,
  levelFor,
  parsePowerLevel,
  requiredPowerLevel,
  roomCreators,
  userPowerLevel,
} from './authorization';
export { decodeBase64, decodeBase64Url, encodeBase64, encodeBase64Url } from './base64';
export { ProtocolError, type ProtocolErrorCode } from './errors';
export {
  addContentHash,
  checkContentHash,
  computeContentHash,
  countersignEvent,
  computeEventId,
  computeReferenceHash,
  signEvent,
  signNewEvent,
} from './event-hashes';
export {
  isValidEventId,
  isValidHistoricalUserLocalpart,
  isValidRoomAlias,
  isValidRoomId,
  isValidUserId,
  isValidUserLocalpart,
  MAX_IDENTIFIER_BYTES,
  parseRoomAlias,
  parseUserId,
  type UserId,
} from './identifiers';
export {
  canonicalJson,
  compareCodePoints,
  isJsonObject,
  type JsonObject,
  type JsonPrimitive,
  type JsonValue,
} from './json';
export {
  assertStorableJson,
  isStorableString,
  jsonTextNeedsLimitCheck,
  MAX_EVENT_DEPTH,
  MAX_JSON_DEPTH,
  unstorableJsonReason,
  type JsonLimits,
} from './json-limits';
export * from './push-rules';
export { redactEvent } from './redaction';
export * from './resolution';
export {
  isStateEvent,
  splitStateKeyTuple,
  stateKeyTuple,
  toPdu,
  type RoomEvent,
  type RoomState,
  type StateKeyTuple,
} from './room-event';
export {
  DEFAULT_ROOM_VERSION,
  getRoomVersion,
  SUPPORTED_ROOM_VERSIONS,
  type RedactionRules,
  type RoomVersion,
} from './room-versions';
export { isValidServerName, parseServerName, type ServerName } from './server-name';
export { serverAclAllows } from './server-acl';
export { signJson, verifyJsonSignature, type Signatures } from './signing';
export {
  formatSigningKeyFile,
  generateSigningKey,
  parseSigningKeyFile,
  publicKeyBase64,
  publicKeyObject,
  signingKeyFromSeed,
  type SigningKey,
} from './signing-key';
export {
  parseXMatrixAuthorization,
  requestSigningObject,
  signedRequestObject,
  signFederationRequest,
  type FederationRequest,
  type XMatrixAuthorization,
} from './x-matrix';
export { JsonObjectSchema, ObjectsIn } from './wire/json-object';
export {
  DeviceListUpdateEdu,
  DirectToDeviceEdu,
  Edu,
  EDU_CONTENTS,
  edu,
  isKnownEduType,
  parseEduContent,
  PresenceEdu,
  PresenceEduEntry,
  presenceEntries,
  ReceiptEdu,
  SigningKeyUpdateEdu,
  TypingEdu,
  UserReceipt,
  type EduContent,
  type EduType,
  type ParsedEdu,
} from './wire/edus';
export {
  InviteAnswer,
  InviteRequest,
  MembershipTemplateAnswer,
  SendJoinAnswer,
  SendKnockAnswer,
  SendLeaveAnswer,
} from './wire/membership';
export {
  MissingEventsAnswer,
  MissingEventsRequest,
  PduTransactionAnswer,
  SendTransactionBody,
  StateAnswer,
  StateIdsAnswer,
} from './wire/room-reads';
export { DirectoryAnswer, ProfileAnswer } from './wire/queries';
export { RoomSummaryWire, SpaceHierarchyAnswer, TimestampToEventAnswer } from './wire/spaces-and-time';
export { MatrixErrorAnswer, WellKnownServerAnswer } from './wire/discovery-and-errors';
export {
  UserDevicesAnswer,
  UserKeysClaimAnswer,
  UserKeysClaimRequest,
  UserKeysQueryAnswer,
  UserKeysQueryRequest,
} from './wire/user-keys';
export { NotaryKeysAnswer, OldVerifyKey, ServerKeyDocument } from './wire/server-keys';
