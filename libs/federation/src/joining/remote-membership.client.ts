import { Injectable } from '@nestjs/common';
import type { JsonObject } from '@hearth/protocol';
import type { RemoteAlias, RemoteMembershipPort } from '@hearth/rooms';
import { AliasResolver } from '../queries/alias-resolver.service';
import { RemoteJoinService } from './remote-join.service';
import { RemoteLeaveService } from './remote-leave.service';

/**
 * Serves rooms' REMOTE_MEMBERSHIP port (bound in the app module): the network half of our users'
 * joins, knocks and leaves in rooms this server is not in, and the alias query a join by another
 * server's alias starts with.
 */
@Injectable()
export class RemoteMembershipClient implements RemoteMembershipPort {
  constructor(
    private readonly joins: RemoteJoinService,
    private readonly leaves: RemoteLeaveService,
    private readonly aliases: AliasResolver,
  ) {}

  join(roomId: string, userId: string, via: readonly string[], content: JsonObject): Promise<void> {
    return this.joins.join(roomId, userId, via, content);
  }

  knock(roomId: string, userId: string, via: readonly string[], content: JsonObject): Promise<void> {
    return this.joins.knock(roomId, userId, via, content);
  }

  leave(roomId: string, userId: string, servers: readonly string[], reason: string | undefined): Promise<void> {
    return this.leaves.leave(roomId, userId, servers, reason);
  }

  resolveAlias(alias: string): Promise<RemoteAlias> {
    return this.aliases.resolve(alias);
  }
}
