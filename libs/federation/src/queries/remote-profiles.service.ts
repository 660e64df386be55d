import { Inject, Injectable } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { FederationClient, FederationPolicy } from '@hearth/federation-client';
import { isValidUserId, ProfileAnswer } from '@hearth/protocol';
import { CLIENT_QUERY_TIMEOUT_MS, remoteQueryError } from './remote-query-error';

export interface RemoteProfile {
  displayname?: string;
  avatar_url?: string;
  /** A Hearth peer's off-duty field (docs/availability.md), passed on as its server gave it. */
  'org.hearth.off_duty'?: Record<string, unknown>;
}

const OFF_DUTY_FIELD = 'org.hearth.off_duty';

/**
 * Clients ask for the same few profiles in bursts (a member list, each sender of a timeline), and
 * nothing tells us when a remote user changes theirs outside a shared room; a minute of caching
 * saves the round trips of a burst and keeps a change from showing late for long.
 */
const CACHE_TTL_MS = 60_000;
const CACHE_ENTRIES = 1_000;

/**
 * Spec CS API `GET /profile/{userId}` for users of other servers: asked of their server with SS
 * API `GET /query/profile`, whose rules (who may see what) are its own; its 403 and 404 reach
 * the client as they are. Only successful answers are cached; concurrent lookups share one request.
 */
@Injectable()
export class RemoteProfilesService {
  private readonly cache = new Map<string, { expiresAt: number; profile: Promise<RemoteProfile> }>();

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly client: FederationClient,
    private readonly policy: FederationPolicy,
  ) {}

  async get(userId: string, now = Date.now()): Promise<RemoteProfile> {
    if (!isValidUserId(userId)) throw MatrixError.invalidParam('Not a user ID');
    const server = userId.slice(userId.indexOf(':') + 1);
    if (!this.policy.allows(server)) throw MatrixError.forbidden(`This server does not federate with ${server}`);
    const cached = this.cache.get(userId);
    if (cached && cached.expiresAt > now) return cached.profile;
    const profile = this.ask(server, userId);
    this.remember(userId, { expiresAt: now + CACHE_TTL_MS, profile });
    profile.catch(() => {
      if (this.cache.get(userId)?.profile === profile) this.cache.delete(userId);
    });
    return profile;
  }

  /** The whole profile even when the client wants one field: one cached answer serves all three endpoints. */
  private async ask(server: string, userId: string): Promise<RemoteProfile> {
    try {
      const answer = await this.client.request(
        server,
        {
          method: 'GET',
          path: '/_matrix/federation/v1/query/profile',
          query: { user_id: userId },
          timeoutMs: Math.min(CLIENT_QUERY_TIMEOUT_MS, this.config.federation.requestTimeoutMs),
        },
        ProfileAnswer,
      );
      // Fields we do not show ourselves are left out (and ProfileAnswer left out those of the wrong type).
      return {
        ...(answer.displayname !== undefined ? { displayname: answer.displayname } : {}),
        ...(answer.avatar_url !== undefined ? { avatar_url: answer.avatar_url } : {}),
        ...offDutyOf(answer),
      };
    } catch (error) {
      throw remoteQueryError(error, server, [403, 404]);
    }
  }

  private remember(userId: string, entry: { expiresAt: number; profile: Promise<RemoteProfile> }): void {
    this.cache.delete(userId);
    this.cache.set(userId, entry);
    // A Map iterates in insertion order: the first key is the oldest entry.
    while (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
  }
}

function offDutyOf(answer: Record<string, unknown>): Pick<RemoteProfile, typeof OFF_DUTY_FIELD> {
  const field = answer[OFF_DUTY_FIELD];
  return typeof field === 'object' && field !== null && !Array.isArray(field)
    ? { [OFF_DUTY_FIELD]: field as Record<string, unknown> }
    : {};
}
