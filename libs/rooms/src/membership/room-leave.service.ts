import { Inject, Injectable, Logger } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { isJsonObject, isValidUserId, parseUserId, type RoomEvent } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { PeerVisibility } from '../federated/peer-visibility';
import { EventRepository } from '../storage/event.repository';
import { StateRepository } from '../storage/state.repository';
import { LocalRejection } from './local-rejection';
import { MembershipService } from './membership.service';
import { REMOTE_MEMBERSHIP, type RemoteMembershipPort } from './remote-membership';

/**
 * Spec CS API `POST /rooms/{roomId}/leave`: a local leave when this server is in the room;
 * rejecting an invite (or withdrawing a knock) to a room it is not in goes through a server of
 * the room (spec SS API "Leaving Rooms (Rejecting Invites)", the remote half behind REMOTE_MEMBERSHIP),
 * or, when none of its servers takes it, here alone (LocalRejection).
 */
@Injectable()
export class RoomLeaveService {
  private readonly logger = new Logger(RoomLeaveService.name);

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly membership: MembershipService,
    private readonly visibility: PeerVisibility,
    private readonly state: StateRepository,
    private readonly events: EventRepository,
    private readonly tx: TransactionRunner,
    @Inject(REMOTE_MEMBERSHIP) private readonly remote: RemoteMembershipPort,
    private readonly localRejection: LocalRejection,
  ) {}

  async leave(roomId: string, userId: string, reason?: string): Promise<void> {
    const { inRoom, current } = await this.tx.read(async (em) => {
      if (await this.visibility.isInRoom(this.config.serverName, roomId, em)) return { inRoom: true };
      const eventId = await this.state.currentStateEventId(roomId, 'm.room.member', userId, em);
      return {
        inRoom: false,
        current: eventId === undefined ? undefined : (await this.events.find(eventId, em))?.event,
      };
    });
    const membership = current?.content.membership;
    if (inRoom || !current || (membership !== 'invite' && membership !== 'knock'))
      return this.membership.leave(roomId, userId, reason);
    const servers = residentServers(current).filter((server) => server !== this.config.serverName);
    if (servers.length === 0) return this.membership.leave(roomId, userId, reason);
    try {
      await this.remote.leave(roomId, userId, servers, reason);
    } catch (error) {
      this.logger.warn(
        `no server of ${roomId} took ${userId}'s leave of their ${membership} (${String(error)}); left here alone`,
      );
      await this.localRejection.store(current, reason);
    }
  }
}

/**
 * Where to send the leave: for an invite, the inviter's server; for a knock (which our user
 * sent), the servers its stripped state points at: the room creator's, then the room ID's.
 */
function residentServers(membership: RoomEvent): string[] {
  if (membership.content.membership === 'invite') return [parseUserId(membership.sender).serverName];
  const state = membership.unsigned?.knock_room_state;
  const create = Array.isArray(state)
    ? state.find((item) => isJsonObject(item) && item.type === 'm.room.create')
    : undefined;
  const creator =
    isJsonObject(create) && typeof create.sender === 'string' && isValidUserId(create.sender)
      ? [parseUserId(create.sender).serverName]
      : [];
  const colon = membership.room_id.indexOf(':');
  return [...new Set([...creator, ...(colon < 0 ? [] : [membership.room_id.slice(colon + 1)])])];
}
