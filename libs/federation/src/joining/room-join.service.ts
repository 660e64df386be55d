import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { isJsonObject, isValidRoomAlias, isValidRoomId, isValidServerName, parseRoomAlias, type JsonObject } from '@hearth/protocol';
import { FederatedRoomsService, MembershipService, RoomAliasesService } from '@hearth/rooms';
import { FederationClient } from '../client/federation-client';
import { FederationRequestError } from '../client/federation-errors';
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
    private readonly aliases: RoomAliasesService,
    private readonly rooms: FederatedRoomsService,
    private readonly remote: RemoteJoinService,
    private readonly client: FederationClient,
  ) {}

  async join(target: string, userId: string, via: readonly string[], profile: JsonObject, reason?: string): Promise<{ room_id: string }> {
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
  async knock(target: string, userId: string, via: readonly string[], profile: JsonObject, reason?: string): Promise<{ room_id: string }> {
    const { roomId, servers } = await this.resolve(target);
    const candidates = this.candidates(roomId, via, servers);
    if (candidates.length === 0 || (await this.rooms.isServerJoined(roomId, this.config.serverName))) return this.membership.knock(roomId, userId, profile, reason);
    await this.remote.knock(roomId, userId, candidates, reason === undefined ? profile : { ...profile, reason });
    return { room_id: roomId };
  }

  /** Other servers to go through: those the client named, those the alias listed, the room ID's. */
  private candidates(roomId: string, via: readonly string[], servers: readonly string[]): string[] {
    return [...via, ...servers, ...serverOfRoomId(roomId)].filter((server) => isValidServerName(server) && server !== this.config.serverName);
  }

  private async resolve(target: string): Promise<{ roomId: string; servers: string[] }> {
    if (isValidRoomId(target)) return { roomId: target, servers: [] };
    if (!isValidRoomAlias(target)) throw MatrixError.invalidParam('Not a room ID or alias');
    const { serverName } = parseRoomAlias(target);
    if (serverName === this.config.serverName) {
      const found = await this.aliases.resolve(target);
      return { roomId: found.room_id, servers: found.servers };
    }
    return this.resolveRemoteAlias(serverName, target);
  }

  /** Spec SS API `GET /query/directory` on the alias's server. */
  private async resolveRemoteAlias(serverName: string, alias: string): Promise<{ roomId: string; servers: string[] }> {
    let answer: unknown;
    try {
      answer = await this.client.request(serverName, { method: 'GET', path: '/_matrix/federation/v1/query/directory', query: { room_alias: alias } });
    } catch (error) {
      if (error instanceof FederationRequestError && error.status === 404) throw MatrixError.notFound('Room alias not found');
      throw new MatrixError(502, 'M_UNKNOWN', `The alias's server could not be asked`);
    }
    if (!isJsonObject(answer) || typeof answer.room_id !== 'string' || !isValidRoomId(answer.room_id)) throw new MatrixError(502, 'M_UNKNOWN', `The alias's server gave no room`);
    const servers = Array.isArray(answer.servers) ? answer.servers.filter((s): s is string => typeof s === 'string') : [];
    return { roomId: answer.room_id, servers: [serverName, ...servers] };
  }
}

/** Up to room version 11 the room ID names the server that created it, a good first guess. */
function serverOfRoomId(roomId: string): string[] {
  const colon = roomId.indexOf(':');
  return colon < 0 ? [] : [roomId.slice(colon + 1)];
}
