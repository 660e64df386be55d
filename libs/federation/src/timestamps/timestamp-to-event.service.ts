import { Inject, Injectable, Logger } from '@nestjs/common';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { MatrixError } from '@hearth/http';
import { FederationClient } from '@hearth/federation-client';
import { PduTransactionAnswer, TimestampToEventAnswer, type RoomVersion } from '@hearth/protocol';
import { EventByTimestampService, FederatedRoomsService } from '@hearth/rooms';
import { PduVerifier } from '../events/pdu-verifier';
import { CLIENT_QUERY_TIMEOUT_MS } from '../queries/remote-query-error';

type Direction = 'f' | 'b';
export interface EventAtTime {
  readonly event_id: string;
  readonly origin_server_ts: number;
}

/** Servers asked in turn when we hold nothing near the time; the room's others would answer alike. */
const SERVERS_ASKED = 3;

/**
 * Spec CS API `GET /rooms/{roomId}/timestamp_to_event`: from our own timeline, and when it holds
 * no event that side of the time (history from before we joined), from the other servers in the
 * room through SS API `GET /timestamp_to_event`, as the spec suggests. A peer's answer counts
 * only once the event it names has been fetched from it, its signatures and hashes checked, and
 * found to be of this room at the time it claimed.
 */
@Injectable()
export class TimestampToEventService {
  private readonly logger = new Logger(TimestampToEventService.name);

  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly local: EventByTimestampService,
    private readonly rooms: FederatedRoomsService,
    private readonly client: FederationClient,
    private readonly verifier: PduVerifier,
  ) {}

  async find(userId: string, roomId: string, ts: number, dir: Direction): Promise<EventAtTime> {
    const ours = await this.local.forUser(userId, roomId, ts, dir);
    // Looking backwards we hold everything up to now; forwards, our first event after joining
    // follows history only the servers there before us hold.
    const incomplete = !ours || (dir === 'f' && (await this.local.followsGap(ours.event_id)));
    const theirs = incomplete ? await this.askOthers(roomId, ts, dir) : undefined;
    const found = closer(ours, theirs, ts);
    if (!found) throw MatrixError.notFound(`No event found ${dir === 'f' ? 'after' : 'before'} that time`);
    return found;
  }

  private async askOthers(roomId: string, ts: number, dir: Direction): Promise<EventAtTime | undefined> {
    const version = await this.rooms.roomVersion(roomId);
    if (!version) return undefined;
    const servers = (await this.local.otherServersInRoom(roomId, this.config.serverName)).slice(0, SERVERS_ASKED);
    for (const server of servers) {
      const answer = await this.ask(server, roomId, ts, dir, version).catch((error: unknown) => {
        this.logger.debug(`${server} could not answer timestamp_to_event in ${roomId}: ${String(error)}`);
        return undefined;
      });
      if (answer) return answer;
    }
    return undefined;
  }

  private async ask(
    server: string,
    roomId: string,
    ts: number,
    dir: Direction,
    version: RoomVersion,
  ): Promise<EventAtTime | undefined> {
    const timeoutMs = Math.min(CLIENT_QUERY_TIMEOUT_MS, this.config.federation.requestTimeoutMs);
    const claimed = await this.client.request(
      server,
      {
        method: 'GET',
        path: `/_matrix/federation/v1/timestamp_to_event/${encodeURIComponent(roomId)}`,
        query: { ts: String(ts), dir },
        timeoutMs,
      },
      TimestampToEventAnswer,
    );
    if (dir === 'f' ? claimed.origin_server_ts < ts : claimed.origin_server_ts > ts) return undefined;
    const fetched = await this.client.request(
      server,
      { method: 'GET', path: `/_matrix/federation/v1/event/${encodeURIComponent(claimed.event_id)}`, timeoutMs },
      PduTransactionAnswer,
    );
    const pdu = fetched.pdus[0];
    const event = await this.verifier.verify(pdu, version, roomId);
    if (event.event_id !== claimed.event_id || event.origin_server_ts !== claimed.origin_server_ts) return undefined;
    return { event_id: claimed.event_id, origin_server_ts: claimed.origin_server_ts };
  }
}

function closer(a: EventAtTime | undefined, b: EventAtTime | undefined, ts: number): EventAtTime | undefined {
  if (!a || !b) return a ?? b;
  return Math.abs(b.origin_server_ts - ts) < Math.abs(a.origin_server_ts - ts) ? b : a;
}
