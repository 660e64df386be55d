import type { RoomEvent, RoomState } from '../room-event';
import type { RoomVersion } from '../room-versions';
import { AuthError } from './auth-error';
import { authorizeCreate } from './authorize-create';
import { authorizeMembership } from './authorize-membership';
import { authorizePowerLevels } from './authorize-power-levels';
import { levelFor, requiredPowerLevel, userPowerLevel } from './power-levels';
import { membershipOf, serverOf, stateEvent } from './room-state-access';

/**
 * The authorization rules (spec "Authorization rules" of room versions 6–12), as one pure
 * function: throws AuthError if `event` must be rejected given `authState`, the state its
 * auth events describe. Differences between versions come from the version's flags.
 */
export function authorizeEvent(event: RoomEvent, authState: RoomState, version: RoomVersion): void {
  if (event.type === 'm.room.create') return authorizeCreate(event, version);

  const create = stateEvent(authState, 'm.room.create');
  if (!create) throw new AuthError('2.d', 'No m.room.create among the auth events');
  if (create.content['m.federate'] === false && serverOf(event.sender) !== serverOf(create.sender)) {
    throw new AuthError('3', 'This room does not federate');
  }
  if (event.type === 'm.room.member') return authorizeMembership(event, authState, version);

  if (membershipOf(authState, event.sender) !== 'join') throw new AuthError('6', 'The sender is not in the room');
  const senderLevel = userPowerLevel(event.sender, authState, version);
  if (event.type === 'm.room.third_party_invite') {
    if (senderLevel >= levelFor('invite', authState, version)) return;
    throw new AuthError('7', 'Not enough power to invite');
  }
  const isState = event.state_key !== undefined;
  if (requiredPowerLevel(event.type, isState, authState, version) > senderLevel)
    throw new AuthError('8', `Not enough power to send ${event.type}`);
  if (event.state_key?.startsWith('@') && event.state_key !== event.sender)
    throw new AuthError('9', 'State keys that are user IDs belong to that user');
  if (event.type === 'm.room.power_levels') authorizePowerLevels(event, authState, version);
}
