import { decodeBase64 } from '../base64';
import type { JsonObject } from '../json';
import type { RoomEvent, RoomState } from '../room-event';
import type { RoomVersion } from '../room-versions';
import { verifyJsonSignature } from '../signing';
import { AuthError } from './auth-error';
import { isObject, levelFor, roomCreators, userPowerLevel } from './power-levels';
import { joinRuleOf, membershipOf, stateEvent } from './room-state-access';

/** Rule 5 (v10/v11 numbering): m.room.member. */
export function authorizeMembership(event: RoomEvent, state: RoomState, version: RoomVersion): void {
  const membership = event.content.membership;
  const target = event.state_key;
  if (target === undefined || typeof membership !== 'string')
    throw new AuthError('5.a', 'Member events need a state_key and a membership');
  switch (membership) {
    case 'join':
      return authorizeJoin(event, target, state, version);
    case 'invite':
      return authorizeInvite(event, target, state, version);
    case 'leave':
      return authorizeLeave(event, target, state, version);
    case 'ban':
      return authorizeBan(event, target, state, version);
    case 'knock':
      return authorizeKnock(event, target, state, version);
    default:
      throw new AuthError('5.h', `Unknown membership ${membership}`);
  }
}

function authorizeJoin(event: RoomEvent, target: string, state: RoomState, version: RoomVersion): void {
  const create = stateEvent(state, 'm.room.create');
  const onlyCreateBefore =
    create !== undefined && event.prev_events.length === 1 && event.prev_events[0] === create.event_id;
  if (onlyCreateBefore && roomCreators(state, version).includes(target)) return;
  if (event.sender !== target) throw new AuthError('5.c.ii', 'Users can only join themselves');
  const current = membershipOf(state, target);
  if (current === 'ban') throw new AuthError('5.c.iii', 'The user is banned');
  const rule = joinRuleOf(state);
  if (rule === 'invite' || (version.knockJoinRule && rule === 'knock')) {
    if (current === 'invite' || current === 'join') return;
    throw new AuthError('5.c.iv', 'The room is invite-only');
  }
  if (
    (version.restrictedJoinRule && rule === 'restricted') ||
    (version.knockRestrictedJoinRule && rule === 'knock_restricted')
  ) {
    if (current === 'invite' || current === 'join') return;
    const authoriser = event.content.join_authorised_via_users_server;
    if (
      typeof authoriser !== 'string' ||
      membershipOf(state, authoriser) !== 'join' ||
      userPowerLevel(authoriser, state, version) < levelFor('invite', state, version)
    ) {
      throw new AuthError('5.c.v', 'A restricted join needs a joined member with invite power to authorise it');
    }
    return;
  }
  if (rule === 'public') return;
  throw new AuthError('5.c.vii', 'The room does not allow joining');
}

function authorizeInvite(event: RoomEvent, target: string, state: RoomState, version: RoomVersion): void {
  const thirdParty = event.content.third_party_invite;
  if (thirdParty !== undefined) return authorizeThirdPartyInvite(event, target, thirdParty, state);
  if (membershipOf(state, event.sender) !== 'join') throw new AuthError('5.d.ii', 'Only members can invite');
  const current = membershipOf(state, target);
  if (current === 'join' || current === 'ban') throw new AuthError('5.d.iii', 'The user is already joined or banned');
  if (userPowerLevel(event.sender, state, version) < levelFor('invite', state, version))
    throw new AuthError('5.d.v', 'Not enough power to invite');
}

/** Rule 5.d.i: the invite must carry a signature from a key of the matching m.room.third_party_invite. */
function authorizeThirdPartyInvite(event: RoomEvent, target: string, thirdParty: unknown, state: RoomState): void {
  if (membershipOf(state, target) === 'ban') throw new AuthError('5.d.i.1', 'The user is banned');
  const signed = isObject(thirdParty as JsonObject) ? (thirdParty as JsonObject).signed : undefined;
  if (!isObject(signed) || typeof signed.mxid !== 'string' || typeof signed.token !== 'string')
    throw new AuthError('5.d.i.2', 'third_party_invite needs signed.mxid and signed.token');
  if (signed.mxid !== target) throw new AuthError('5.d.i.3', 'signed.mxid does not match the invitee');
  const invite = stateEvent(state, 'm.room.third_party_invite', signed.token);
  if (!invite) throw new AuthError('5.d.i.4', 'No matching m.room.third_party_invite');
  if (invite.sender !== event.sender)
    throw new AuthError('5.d.i.5', 'The invite must be sent by who made the third-party invite');
  if (!thirdPartyKeys(invite.content).some((key) => signedByKey(signed, key)))
    throw new AuthError('5.d.i.6', 'No valid signature from the third-party invite keys');
}

function thirdPartyKeys(content: JsonObject): string[] {
  const keys = typeof content.public_key === 'string' ? [content.public_key] : [];
  if (Array.isArray(content.public_keys)) {
    for (const entry of content.public_keys)
      if (isObject(entry) && typeof entry.public_key === 'string') keys.push(entry.public_key);
  }
  return keys;
}

function signedByKey(signed: JsonObject, publicKey: string): boolean {
  const signatures = signed.signatures;
  if (!isObject(signatures)) return false;
  let key: Uint8Array;
  try {
    key = decodeBase64(publicKey);
  } catch {
    return false;
  }
  return Object.entries(signatures).some(
    ([server, byKey]) =>
      isObject(byKey) && Object.keys(byKey).some((keyId) => verifyJsonSignature(signed, server, keyId, key)),
  );
}

function authorizeLeave(event: RoomEvent, target: string, state: RoomState, version: RoomVersion): void {
  const targetMembership = membershipOf(state, target);
  if (event.sender === target) {
    const canLeave =
      targetMembership === 'invite' ||
      targetMembership === 'join' ||
      (version.knockJoinRule && targetMembership === 'knock');
    if (canLeave) return;
    throw new AuthError('5.e.i', 'Nothing to leave');
  }
  if (membershipOf(state, event.sender) !== 'join') throw new AuthError('5.e.ii', 'Only members can kick');
  const senderLevel = userPowerLevel(event.sender, state, version);
  if (targetMembership === 'ban' && senderLevel < levelFor('ban', state, version))
    throw new AuthError('5.e.iii', 'Not enough power to unban');
  if (senderLevel >= levelFor('kick', state, version) && userPowerLevel(target, state, version) < senderLevel) return;
  throw new AuthError('5.e.v', 'Not enough power to kick this user');
}

function authorizeBan(event: RoomEvent, target: string, state: RoomState, version: RoomVersion): void {
  if (membershipOf(state, event.sender) !== 'join') throw new AuthError('5.f.i', 'Only members can ban');
  const senderLevel = userPowerLevel(event.sender, state, version);
  if (senderLevel >= levelFor('ban', state, version) && userPowerLevel(target, state, version) < senderLevel) return;
  throw new AuthError('5.f.iii', 'Not enough power to ban this user');
}

function authorizeKnock(event: RoomEvent, target: string, state: RoomState, version: RoomVersion): void {
  if (!version.knockJoinRule) throw new AuthError('5.h', 'Knocking needs room version 7 or later');
  const rule = joinRuleOf(state);
  if (rule !== 'knock' && !(version.knockRestrictedJoinRule && rule === 'knock_restricted'))
    throw new AuthError('5.g.i', 'The room does not accept knocks');
  if (event.sender !== target) throw new AuthError('5.g.ii', 'Users can only knock for themselves');
  const current = membershipOf(state, target);
  if (current === 'ban' || current === 'invite' || current === 'join')
    throw new AuthError('5.g.iv', 'Cannot knock when banned, invited or joined');
}
