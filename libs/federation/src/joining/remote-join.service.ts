import { Inject, Injectable, Logger } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { FederationClient, FederationRequestError } from '@hearth/federation-client';
import {
  computeEventId,
  getRoomVersion,
  MembershipTemplateAnswer,
  PduTransactionAnswer,
  SendJoinAnswer,
  SendKnockAnswer,
  SUPPORTED_ROOM_VERSIONS,
  type JsonObject,
  type RoomEvent,
  type RoomVersion,
} from '@hearth/protocol';
import { FederatedRoomsService } from '@hearth/rooms';
import { ServerSigner } from '@hearth/signing';
import { PduVerifier } from '../events/pdu-verifier';
import { checkJoinState } from './join-state-check';

/**
 * Spec SS API "Joining Rooms": a local user joins a room this server is not in by asking a
 * resident server for a template (make_join), signing it, and handing it back (send_join v2).
 * The answer's state and auth chain are checked before anything is stored.
 */
/** How much history a joining server asks for. */
const BACKFILL_LIMIT = 50;

@Injectable()
export class RemoteJoinService {
  private readonly logger = new Logger(RemoteJoinService.name);

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly client: FederationClient,
    private readonly signer: ServerSigner,
    private readonly verifier: PduVerifier,
    private readonly rooms: FederatedRoomsService,
  ) {}

  /** Tries each resident server in turn; the last refusal is what the client hears. */
  join(roomId: string, userId: string, via: readonly string[], content: JsonObject): Promise<void> {
    return this.throughEach(via, (server) => this.joinThrough(server, roomId, userId, content));
  }

  /** Spec SS API "Knocking upon a room": make_knock, sign, send_knock; the room's stripped state comes back. */
  knock(roomId: string, userId: string, via: readonly string[], content: JsonObject): Promise<void> {
    return this.throughEach(via, (server) => this.knockThrough(server, roomId, userId, content));
  }

  /** Each candidate in turn until one works; a 403 ends the search (the room said no). */
  private async throughEach(via: readonly string[], attempt: (server: string) => Promise<void>): Promise<void> {
    const candidates = [...new Set(via)].filter((server) => server !== this.config.serverName);
    if (candidates.length === 0) throw MatrixError.notFound('No server to reach this room through is known');
    let lastError: unknown;
    for (const server of candidates) {
      try {
        return await attempt(server);
      } catch (error) {
        lastError = error;
        this.logger.debug(`reaching a room through ${server} failed: ${(error as Error).message}`);
        if (error instanceof FederationRequestError && error.status === 403) break;
      }
    }
    throw asClientError(lastError);
  }

  private async joinThrough(server: string, roomId: string, userId: string, content: JsonObject): Promise<void> {
    const template = await this.client.request(
      server,
      {
        method: 'GET',
        path: `/_matrix/federation/v1/make_join/${encodeURIComponent(roomId)}/${encodeURIComponent(userId)}`,
        query: { ver: SUPPORTED_ROOM_VERSIONS },
      },
      MembershipTemplateAnswer,
    );
    const version = getRoomVersion(template.room_version ?? '1');
    if (!version || !SUPPORTED_ROOM_VERSIONS.includes(version.id))
      throw new MatrixError(400, 'M_INCOMPATIBLE_ROOM_VERSION', 'The room version is not supported here', {
        room_version: template.room_version,
      });
    const join = this.signedMembership(template.event, version, userId, content, 'join');
    const eventId = computeEventId(join, version);
    const answer = await this.client.request(
      server,
      {
        method: 'PUT',
        path: `/_matrix/federation/v2/send_join/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}`,
        body: join,
      },
      SendJoinAnswer,
    );
    // A restricted join comes back with the resident server's signature added.
    const final = answer.event && computeEventId(answer.event, version) === eventId ? answer.event : join;
    const [joinEvent, state, authChain] = await Promise.all([
      this.verifier.verify(final, version, roomId),
      this.verifyAll(answer.state, version, roomId),
      this.verifyAll(answer.auth_chain, version, roomId),
    ]);
    let accepted: RoomEvent[];
    try {
      accepted = checkJoinState(joinEvent, state, authChain, version);
    } catch {
      throw new Error(`${server} answered with a state that does not allow the join`);
    }
    await this.rooms.importJoin(version, joinEvent, accepted, authChain);
    await this.backfill(server, roomId, joinEvent, version).catch((error: unknown) =>
      this.logger.debug(`backfilling ${roomId} from ${server} failed: ${String(error)}`),
    );
  }

  /** Spec SS API `GET /backfill`: recent history before our join, so that the room does not start empty here. */
  private async backfill(server: string, roomId: string, join: RoomEvent, version: RoomVersion): Promise<void> {
    const answer = await this.client.request(
      server,
      {
        method: 'GET',
        path: `/_matrix/federation/v1/backfill/${encodeURIComponent(roomId)}`,
        query: { v: [...join.prev_events], limit: String(BACKFILL_LIMIT) },
      },
      PduTransactionAnswer,
    );
    const events = await this.verifyAll(answer.pdus, version, roomId);
    await this.rooms.storeBackfill(
      version,
      join.event_id,
      events.sort((a, b) => b.depth - a.depth || (a.event_id < b.event_id ? 1 : -1)),
    );
  }

  private async knockThrough(server: string, roomId: string, userId: string, content: JsonObject): Promise<void> {
    const template = await this.client.request(
      server,
      {
        method: 'GET',
        path: `/_matrix/federation/v1/make_knock/${encodeURIComponent(roomId)}/${encodeURIComponent(userId)}`,
        query: { ver: SUPPORTED_ROOM_VERSIONS },
      },
      MembershipTemplateAnswer,
    );
    const version = getRoomVersion(template.room_version ?? '1');
    if (!version || !version.knockJoinRule)
      throw new MatrixError(400, 'M_INCOMPATIBLE_ROOM_VERSION', 'The room version does not allow knocking', {
        room_version: template.room_version,
      });
    const knock = this.signedMembership(template.event, version, userId, content, 'knock');
    const eventId = computeEventId(knock, version);
    const answer = await this.client.request(
      server,
      {
        method: 'PUT',
        path: `/_matrix/federation/v1/send_knock/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}`,
        body: knock,
      },
      SendKnockAnswer,
    );
    const event = await this.verifier.verify(knock, version, roomId);
    await this.rooms.storeOutOfRoomMembership(version, {
      ...event,
      unsigned: { knock_room_state: answer.knock_room_state },
    });
  }

  private signedMembership(
    template: JsonObject & { content?: JsonObject },
    version: RoomVersion,
    userId: string,
    content: JsonObject,
    membership: 'join' | 'knock',
  ): JsonObject {
    const { signatures: _s, hashes: _h, unsigned: _u, event_id: _id, ...rest } = template;
    if (rest.type !== 'm.room.member' || rest.state_key !== userId || rest.sender !== userId)
      throw new Error(`the ${membership} template is for someone else`);
    const templateContent = rest.content ?? {};
    return this.signer.signEvent(
      { ...rest, origin_server_ts: Date.now(), content: { ...templateContent, ...content, membership } },
      version,
    );
  }

  /** Events that fail verification are left out; the auth checks later find what is missing. */
  private async verifyAll(pdus: readonly unknown[], version: RoomVersion, roomId: string): Promise<RoomEvent[]> {
    const results = await Promise.allSettled(pdus.map((pdu) => this.verifier.verify(pdu, version, roomId)));
    return results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  }
}

function asClientError(error: unknown): Error {
  if (error instanceof MatrixError) return error;
  if (error instanceof FederationRequestError) {
    if (error.status === 403) return MatrixError.forbidden(`The room's server refused the join: ${error.message}`);
    if (error.status === 404) return MatrixError.notFound('The room is not known to the servers asked');
  }
  return new MatrixError(502, 'M_UNKNOWN', 'Could not join the room through any of its servers');
}
