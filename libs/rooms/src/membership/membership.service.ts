import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { isValidRoomAlias, isValidRoomId, isValidUserId, type JsonObject } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { EventWriter } from '../events/event-writer.service';
import { RoomWriteQueue } from '../events/room-write-queue';
import { RemoteInviteService } from './remote-invite.service';
import { RestrictedJoins } from './restricted-joins';
import { roomErrors } from '../room-errors';
import { AliasRepository } from '../storage/alias.repository';
import { StateRepository } from '../storage/state.repository';

export type MembershipChange = 'invite' | 'kick' | 'ban' | 'unban';

/**
 * Membership of local users in rooms on this server. Whether a change is allowed is the auth
 * rules' decision; this service only shapes the m.room.member events.
 */
@Injectable()
export class MembershipService {
  constructor(
    private readonly writer: EventWriter,
    private readonly remoteInvites: RemoteInviteService,
    private readonly restricted: RestrictedJoins,
    private readonly state: StateRepository,
    private readonly aliases: AliasRepository,
    private readonly tx: TransactionRunner,
    private readonly roomWrites: RoomWriteQueue,
  ) {}

  /** POST /join/{roomIdOrAlias} and /rooms/{roomId}/join. */
  async join(
    roomIdOrAlias: string,
    userId: string,
    profile: JsonObject,
    reason?: string,
  ): Promise<{ room_id: string }> {
    const roomId = await this.resolve(roomIdOrAlias);
    return this.roomWrites.transaction(roomId, async (em) => {
      const authorised = await this.restricted.authorisation(roomId, userId, em);
      const content = withReason({ ...profile, ...authorised, membership: 'join' }, reason);
      await this.writer.write(roomId, { type: 'm.room.member', state_key: userId, sender: userId, content }, em);
      return { room_id: roomId };
    });
  }

  /** POST /knock/{roomIdOrAlias}: the auth rules allow it only where the join rule says knock. */
  async knock(
    roomIdOrAlias: string,
    userId: string,
    profile: JsonObject,
    reason?: string,
  ): Promise<{ room_id: string }> {
    const roomId = await this.resolve(roomIdOrAlias);
    return this.roomWrites.transaction(roomId, async (em) => {
      await this.writer.write(
        roomId,
        {
          type: 'm.room.member',
          state_key: userId,
          sender: userId,
          content: withReason({ ...profile, membership: 'knock' }, reason),
        },
        em,
      );
      return { room_id: roomId };
    });
  }

  async leave(roomId: string, userId: string, reason?: string): Promise<void> {
    await this.roomWrites.transaction(roomId, async (em) => {
      if ((await this.state.membership(roomId, userId, em)) === undefined) throw roomErrors.notInRoom();
      await this.writer.write(
        roomId,
        {
          type: 'm.room.member',
          state_key: userId,
          sender: userId,
          content: withReason({ membership: 'leave' }, reason),
        },
        em,
      );
    });
  }

  /** invite, kick (leave by someone else), ban and unban (leave after a ban). */
  async change(
    change: MembershipChange,
    roomId: string,
    sender: string,
    target: string,
    reason?: string,
  ): Promise<void> {
    if (!isValidUserId(target)) throw MatrixError.invalidParam('Invalid user ID');
    const remoteInvite =
      change === 'invite' &&
      this.writer.isRemoteInvite({ type: 'm.room.member', state_key: target, content: { membership: 'invite' } });
    await this.roomWrites.transaction(roomId, async (em) => {
      const current = await this.state.membership(roomId, target, em);
      if (change === 'kick' && current !== 'join' && current !== 'invite' && current !== 'knock') {
        throw MatrixError.forbidden('The user is not in the room');
      }
      if (change === 'unban' && current !== 'ban') throw MatrixError.forbidden('The user is not banned');
      if (change === 'invite' && current === 'join') throw MatrixError.forbidden('The user is already in the room');
      if (remoteInvite) return;
      const membership = change === 'invite' ? 'invite' : change === 'ban' ? 'ban' : 'leave';
      await this.writer.write(
        roomId,
        { type: 'm.room.member', state_key: target, sender, content: withReason({ membership }, reason) },
        em,
      );
    });
    if (remoteInvite) await this.remoteInvites.invite(roomId, sender, target, withReason({}, reason));
  }

  /** POST /forget: only once the user has left; the room then drops out of their history. */
  async forget(roomId: string, userId: string): Promise<void> {
    await this.tx.run(async (em) => {
      const membership = await this.state.membership(roomId, userId, em);
      if (membership === undefined) throw roomErrors.notInRoom();
      if (membership === 'join' || membership === 'invite' || membership === 'knock')
        throw new MatrixError(400, 'M_UNKNOWN', 'Leave the room before forgetting it');
      await em.query('INSERT INTO room_forgotten (user_id, room_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        userId,
        roomId,
      ]);
    });
  }

  /**
   * A profile change reaches every room the user is in as a new join event with the new name
   * and avatar, as clients expect. Rooms where the auth rules refuse it are skipped.
   */
  async refreshProfile(userId: string, profile: JsonObject): Promise<void> {
    const rooms = await this.joinedRooms(userId);
    for (const roomId of rooms) {
      await this.roomWrites
        .transaction(roomId, (em) =>
          this.writer.write(
            roomId,
            { type: 'm.room.member', state_key: userId, sender: userId, content: { ...profile, membership: 'join' } },
            em,
          ),
        )
        .catch((error: unknown) => {
          if (!(error instanceof MatrixError)) throw error;
        });
    }
  }

  async joinedRooms(userId: string): Promise<string[]> {
    return this.tx.run((em) => this.state.roomsWithMembership(userId, 'join', em));
  }

  private async resolve(roomIdOrAlias: string): Promise<string> {
    if (isValidRoomId(roomIdOrAlias)) return roomIdOrAlias;
    if (!isValidRoomAlias(roomIdOrAlias)) throw MatrixError.invalidParam('Not a room ID or alias');
    const found = await this.tx.read((em) => this.aliases.find(roomIdOrAlias, em));
    if (!found) throw MatrixError.notFound('Room alias not found');
    return found.roomId;
  }
}

function withReason(content: JsonObject, reason: string | undefined): JsonObject {
  return reason === undefined ? content : { ...content, reason };
}
