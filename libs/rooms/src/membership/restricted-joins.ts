import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import {
  getRoomVersion,
  isJsonObject,
  levelFor,
  stateKeyTuple,
  userPowerLevel,
  type RoomState,
} from '@hearth/protocol';
import { RoomRepository } from '../storage/room.repository';
import { StateRepository } from '../storage/state.repository';

/**
 * Spec CS API "Restricted rooms": someone not invited may join when they are joined to one of
 * the rooms the join rule allows; a member of this server with invite power then vouches for the
 * join (`join_authorised_via_users_server`). Returns the content to add to the join, if any.
 */
@Injectable()
export class RestrictedJoins {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly rooms: RoomRepository,
    private readonly state: StateRepository,
  ) {}

  async authorisation(
    roomId: string,
    userId: string,
    em: EntityManager,
  ): Promise<{ join_authorised_via_users_server: string } | undefined> {
    const room = await this.rooms.find(roomId, em);
    const version = room ? getRoomVersion(room.roomVersion) : undefined;
    if (!room || !version) return undefined;
    const current = await this.state.currentState(roomId, em);
    const rules = current.get(stateKeyTuple('m.room.join_rules', ''))?.content;
    const rule = rules?.join_rule;
    const restricted =
      (version.restrictedJoinRule && rule === 'restricted') ||
      (version.knockRestrictedJoinRule && rule === 'knock_restricted');
    if (!restricted) return undefined;
    const membership = current.get(stateKeyTuple('m.room.member', userId))?.content.membership;
    if (membership === 'invite' || membership === 'join') return undefined;
    const allowed = Array.isArray(rules?.allow) ? rules.allow.filter(isJsonObject) : [];
    const roomsAllowed = allowed
      .filter((entry) => entry.type === 'm.room_membership' && typeof entry.room_id === 'string')
      .map((entry) => entry.room_id as string);
    const qualifies = await this.joinedToAny(userId, roomsAllowed, em);
    if (!qualifies) {
      // knock_restricted falls back to knocking; the auth rules say no to a join either way.
      throw MatrixError.forbidden('You are not a member of any room this room admits');
    }
    const authoriser = this.localAuthoriser(current, version);
    if (!authoriser)
      throw new MatrixError(400, 'M_UNABLE_TO_AUTHORISE_JOIN', 'No member of this server can authorise the join');
    return { join_authorised_via_users_server: authoriser };
  }

  private async joinedToAny(userId: string, roomIds: readonly string[], em: EntityManager): Promise<boolean> {
    for (const roomId of roomIds) if ((await this.state.membership(roomId, userId, em)) === 'join') return true;
    return false;
  }

  /** A joined member of this server with the power to invite. */
  private localAuthoriser(
    state: RoomState,
    version: NonNullable<ReturnType<typeof getRoomVersion>>,
  ): string | undefined {
    const needed = levelFor('invite', state, version);
    const suffix = `:${this.config.serverName}`;
    for (const [tuple, event] of state) {
      if (
        !tuple.startsWith('m.room.member\u0000') ||
        event.content.membership !== 'join' ||
        !event.state_key?.endsWith(suffix)
      )
        continue;
      if (userPowerLevel(event.state_key, state, version) >= needed) return event.state_key;
    }
    return undefined;
  }
}
