import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { FederationClient, FederationPolicy, FederationRequestError } from '@hearth/federation-client';
import { DirectoryAnswer, isValidRoomAlias, parseRoomAlias } from '@hearth/protocol';
import { RoomAliasesService } from '@hearth/rooms';
import { CLIENT_QUERY_TIMEOUT_MS, remoteQueryError } from './remote-query-error';

export interface ResolvedAlias {
  readonly room_id: string;
  readonly servers: string[];
}

/** Spec CS API `GET /directory/room/{roomAlias}`: our aliases from our directory, others' from their server. */
@Injectable()
export class AliasResolver {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly aliases: RoomAliasesService,
    private readonly client: FederationClient,
    private readonly policy: FederationPolicy,
  ) {}

  async resolve(alias: string): Promise<ResolvedAlias> {
    if (!isValidRoomAlias(alias)) throw MatrixError.invalidParam('Invalid room alias');
    const { serverName } = parseRoomAlias(alias);
    if (serverName === this.config.serverName) return this.aliases.resolve(alias);
    return this.resolveRemote(serverName, alias);
  }

  /** Spec SS API `GET /query/directory` on the alias's server; like Synapse, only its 404 is passed on. */
  private async resolveRemote(serverName: string, alias: string): Promise<ResolvedAlias> {
    if (!this.policy.allows(serverName))
      throw MatrixError.forbidden(`This server does not federate with ${serverName}`);
    try {
      const answer = await this.client.request(
        serverName,
        {
          method: 'GET',
          path: '/_matrix/federation/v1/query/directory',
          query: { room_alias: alias },
          timeoutMs: Math.min(CLIENT_QUERY_TIMEOUT_MS, this.config.federation.requestTimeoutMs),
        },
        DirectoryAnswer,
      );
      return { room_id: answer.room_id, servers: answer.servers };
    } catch (error) {
      if (error instanceof FederationRequestError && error.status === 404)
        throw MatrixError.notFound('Room alias not found');
      throw remoteQueryError(error, serverName, []);
    }
  }
}
