import { Inject, Injectable, Logger } from '@nestjs/common';
import type { z } from 'zod';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { FederationClient, FederationPolicy } from '@hearth/federation-client';
import { SpaceHierarchyAnswer, type JsonObject, type RoomSummaryWire } from '@hearth/protocol';
import type { RoomSummary, SpaceChildState } from '@hearth/rooms';
import { CLIENT_QUERY_TIMEOUT_MS } from '../queries/remote-query-error';

/** A peer's hierarchy answer, its summaries shaped as ours. */
export interface PeerHierarchyAnswer {
  readonly room: RoomSummary;
  readonly children: readonly RoomSummary[];
  readonly inaccessible_children: readonly string[];
}

/** The spec asks that answers be cached; a walk asks for the same spaces again on every page. */
const CACHE_TTL_MS = 5 * 60_000;
const CACHE_ENTRIES = 1_000;
/** As Synapse: a child's `via` may list many servers; a few tries are enough. */
const SERVERS_TRIED = 3;

/** Spec SS API `GET /hierarchy/{roomId}`, asked of the servers a child's `via` names, for rooms we are not in. */
@Injectable()
export class RemoteHierarchyClient {
  private readonly logger = new Logger(RemoteHierarchyClient.name);
  private readonly cache = new Map<string, { expiresAt: number; answer: PeerHierarchyAnswer }>();

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly client: FederationClient,
    private readonly policy: FederationPolicy,
  ) {}

  /** The first good answer of the `via` servers, or undefined when none gave one. */
  async fetch(
    roomId: string,
    via: readonly string[],
    suggestedOnly: boolean,
  ): Promise<PeerHierarchyAnswer | undefined> {
    const key = `${suggestedOnly ? 's' : 'a'}|${roomId}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.answer;
    const servers = [...new Set(via)]
      .filter((server) => server !== this.config.serverName && this.policy.allows(server))
      .slice(0, SERVERS_TRIED);
    for (const server of servers) {
      const answer = await this.ask(server, roomId, suggestedOnly);
      if (!answer) continue;
      this.remember(key, answer);
      return answer;
    }
    return undefined;
  }

  private async ask(server: string, roomId: string, suggestedOnly: boolean): Promise<PeerHierarchyAnswer | undefined> {
    let answer: z.output<typeof SpaceHierarchyAnswer>;
    try {
      answer = await this.client.request(
        server,
        {
          method: 'GET',
          path: `/_matrix/federation/v1/hierarchy/${encodeURIComponent(roomId)}`,
          query: { suggested_only: String(suggestedOnly) },
          timeoutMs: Math.min(CLIENT_QUERY_TIMEOUT_MS, this.config.federation.requestTimeoutMs),
        },
        SpaceHierarchyAnswer,
      );
    } catch (error) {
      // A server that does not know the room, is down or answers nonsense: the next `via` server may do better.
      this.logger.debug(`${server} could not give the hierarchy of ${roomId}: ${(error as Error).message}`);
      return undefined;
    }
    if (answer.room.room_id !== roomId) {
      this.logger.debug(`${server} answered the hierarchy of ${roomId} with ${answer.room.room_id}`);
      return undefined;
    }
    return {
      room: toSummary(answer.room),
      children: answer.children.map(toSummary),
      inaccessible_children: answer.inaccessible_children,
    };
  }

  private remember(key: string, answer: PeerHierarchyAnswer): void {
    this.cache.delete(key);
    this.cache.set(key, { expiresAt: Date.now() + CACHE_TTL_MS, answer });
    while (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
  }
}

/** A peer's summary as ours: fields it left out stay out, its children keep only their stripped-state keys. */
function toSummary(wire: z.output<typeof RoomSummaryWire>): RoomSummary {
  const children: SpaceChildState[] = wire.children_state.map((child) => ({
    type: child.type,
    state_key: child.state_key,
    content: child.content as JsonObject,
    sender: child.sender,
    origin_server_ts: child.origin_server_ts,
  }));
  const fields = Object.entries({ ...wire, children_state: children }).filter(([, v]) => v !== undefined);
  return Object.fromEntries(fields) as unknown as RoomSummary;
}
