import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { isValidRoomAlias, isValidRoomId, isValidServerName, parseRoomAlias, type JsonObject } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { PeerVisibility } from '../federated/peer-visibility';
import { RoomAliasesService } from '../rooms/room-aliases.service';
import { MembershipService } from './membership.service';
import { REMOTE_MEMBERSHIP, type RemoteAlias, type RemoteMembershipPort } from './remote-membership';

/**
 * Spec CS API `POST /join/{roomIdOrAlias}` and `POST /knock/{roomIdOrAlias}`: local when this
 * server is in the room, otherwise through the servers named by `via`, the alias's server or the
 * room ID (the remote half behind REMOTE_MEMBERSHIP).
 */
@Injectable()
export class RoomJoinService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly membership: MembershipService,
    private readonly aliases: RoomAliasesService,
    private readonly visibility: PeerVisibility,
    private readonly tx: TransactionRunner,
    @Inject(REMOTE_MEMBERSHIP) private readonly remote: RemoteMembershipPort,
  ) {}

  async join(
    target: string,
    userId: string,
    via: readonly string[],
    profile: JsonObject,
    reason?: string,
  ): Promise<{ room_id: string }> {
    const { roomId, servers } = await this.resolve(target);
    const candidates = this.candidates(roomId, via, servers);
    // With no other server to ask, the join is local: a room we hold that everyone here left, or an unknown room (refused).
    if (candidates.length === 0 || (await this.isOurServerJoined(roomId)))
      return this.membership.join(roomId, userId, profile, reason);
    await this.remote.join(roomId, userId, candidates, reason === undefined ? profile : { ...profile, reason });
    return { room_id: roomId };
  }

  async knock(
    target: string,
    userId: string,
    via: readonly string[],
    profile: JsonObject,
    reason?: string,
  ): Promise<{ room_id: string }> {
    const { roomId, servers } = await this.resolve(target);
    const candidates = this.candidates(roomId, via, servers);
    if (candidates.length === 0 || (await this.isOurServerJoined(roomId)))
      return this.membership.knock(roomId, userId, profile, reason);
    await this.remote.knock(roomId, userId, candidates, reason === undefined ? profile : { ...profile, reason });
    return { room_id: roomId };
  }

  private isOurServerJoined(roomId: string): Promise<boolean> {
    return this.tx.read((em) => this.visibility.isInRoom(this.config.serverName, roomId, em));
  }

  /** Other servers to go through: those the client named, those the alias listed, the room ID's. */
  private candidates(roomId: string, via: readonly string[], servers: readonly string[]): string[] {
    return [...via, ...servers, ...serverOfRoomId(roomId)].filter(
      (server) => isValidServerName(server) && server !== this.config.serverName,
    );
  }

  private async resolve(target: string): Promise<{ roomId: string; servers: string[] }> {
    if (isValidRoomId(target)) return { roomId: target, servers: [] };
    if (!isValidRoomAlias(target)) throw MatrixError.invalidParam('Not a room ID or alias');
    const { serverName } = parseRoomAlias(target);
    if (serverName === this.config.serverName) {
      const found = await this.aliases.resolve(target);
      return { roomId: found.room_id, servers: found.servers };
    }
    const found: RemoteAlias = await this.remote.resolveAlias(target);
    // The alias's server knows the room: worth asking first, whether or not it listed itself.
    return { roomId: found.room_id, servers: [serverName, ...found.servers] };
  }
}

/** Up to room version 11 the room ID names the server that created it, a good first guess. */
function serverOfRoomId(roomId: string): string[] {
  const colon = roomId.indexOf(':');
  return colon < 0 ? [] : [roomId.slice(colon + 1)];
}
