import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { isValidRoomAlias, isValidRoomId, isValidServerName, parseRoomAlias, type JsonObject } from '@hearth/protocol';
import { FederatedRoomsService, MembershipService } from '@hearth/rooms';
import { AliasResolver } from '../queries/alias-resolver.service';
import { RemoteJoinService } from './remote-join.service';

/**
 * Spec CS API `POST /join/{roomIdOrAlias}`: a local join when this server is in the room,
 * otherwise a join through the servers named by `via`, the alias's server or the room ID.
 */
@Injectable()
export class RoomJoinService {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly membership: MembershipService,
    private readonly aliases: AliasResolver,
    private readonly rooms: FederatedRoomsService,
    private readonly remote: RemoteJoinService,
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
    if (candidates.length === 0 || (await this.rooms.isServerJoined(roomId, this.config.serverName))) {
      return this.membership.join(roomId, userId, profile, reason);
    }
    await this.remote.join(roomId, userId, candidates, reason === undefined ? profile : { ...profile, reason });
    return { room_id: roomId };
  }

  /** Spec CS API `POST /knock/{roomIdOrAlias}`: local when this server is in the room, else through its servers. */
  async knock(
    target: string,
    userId: string,
    via: readonly string[],
    profile: JsonObject,
    reason?: string,
  ): Promise<{ room_id: string }> {
    const { roomId, servers } = await this.resolve(target);
    const candidates = this.candidates(roomId, via, servers);
    if (candidates.length === 0 || (await this.rooms.isServerJoined(roomId, this.config.serverName)))
      return this.membership.knock(roomId, userId, profile, reason);
    await this.remote.knock(roomId, userId, candidates, reason === undefined ? profile : { ...profile, reason });
    return { room_id: roomId };
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
    const found = await this.aliases.resolve(target);
    // The alias's server knows the room: worth asking first, whether or not it listed itself.
    return {
      roomId: found.room_id,
      servers: serverName === this.config.serverName ? found.servers : [serverName, ...found.servers],
    };
  }
}

/** Up to room version 11 the room ID names the server that created it, a good first guess. */
function serverOfRoomId(roomId: string): string[] {
  const colon = roomId.indexOf(':');
  return colon < 0 ? [] : [roomId.slice(colon + 1)];
}
