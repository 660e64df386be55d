import { Inject, Injectable, Logger } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { FederationClient, FederationPolicy } from '@hearth/federation-client';
import { CLIENT_QUERY_TIMEOUT_MS } from '../queries/remote-query-error';
import { peerHierarchySchema, withoutUndefined, type PeerHierarchyAnswer } from './peer-hierarchy.schema';

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
    try {
      const body = await this.client.request(server, {
        method: 'GET',
        path: `/_matrix/federation/v1/hierarchy/${encodeURIComponent(roomId)}`,
        query: { suggested_only: String(suggestedOnly) },
        timeoutMs: Math.min(CLIENT_QUERY_TIMEOUT_MS, this.config.federation.requestTimeoutMs),
      });
      const parsed = peerHierarchySchema.safeParse(body);
      if (!parsed.success || parsed.data.room.room_id !== roomId) {
        this.logger.debug(`${server} gave no usable hierarchy of ${roomId}`);
        return undefined;
      }
      return { ...parsed.data, room: withoutUndefined(parsed.data.room) };
    } catch (error) {
      // A server that does not know the room, or is down: the next `via` server may.
      this.logger.debug(`${server} could not give the hierarchy of ${roomId}: ${(error as Error).message}`);
      return undefined;
    }
  }

  private remember(key: string, answer: PeerHierarchyAnswer): void {
    this.cache.delete(key);
    this.cache.set(key, { expiresAt: Date.now() + CACHE_TTL_MS, answer });
    while (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
  }
}
