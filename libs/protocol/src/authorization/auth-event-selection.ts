import { stateKeyTuple, type RoomEvent, type StateKeyTuple } from '../room-event';
import type { RoomVersion } from '../room-versions';

/**
 * Spec SS API "Auth events selection": the state an event's authorization may consult.
 * From room version 12 the create event is implied by the room ID and not listed.
 */
export function authEventTypesFor(
  event: Pick<RoomEvent, 'type' | 'sender' | 'state_key' | 'content'>,
  version: RoomVersion,
): StateKeyTuple[] {
  if (event.type === 'm.room.create') return [];
  const tuples = [stateKeyTuple('m.room.power_levels', ''), stateKeyTuple('m.room.member', event.sender)];
  if (!version.roomIdFromCreateEvent) tuples.unshift(stateKeyTuple('m.room.create', ''));
  if (event.type !== 'm.room.member' || event.state_key === undefined) return tuples;

  tuples.push(stateKeyTuple('m.room.member', event.state_key));
  const membership = event.content.membership;
  if (membership === 'join' || membership === 'invite' || membership === 'knock')
    tuples.push(stateKeyTuple('m.room.join_rules', ''));
  const invite = event.content.third_party_invite;
  if (membership === 'invite' && typeof invite === 'object' && invite !== null && !Array.isArray(invite)) {
    const signed = invite.signed;
    const token = typeof signed === 'object' && signed !== null && !Array.isArray(signed) ? signed.token : undefined;
    if (typeof token === 'string') tuples.push(stateKeyTuple('m.room.third_party_invite', token));
  }
  const authoriser = event.content.join_authorised_via_users_server;
  if (membership === 'join' && version.restrictedJoinRule && typeof authoriser === 'string')
    tuples.push(stateKeyTuple('m.room.member', authoriser));
  return [...new Set(tuples)];
}
