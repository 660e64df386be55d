import { Injectable } from '@nestjs/common';
import { stateKeyTuple } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { roomErrors } from '../room-errors';
import { PeerVisibility } from '../federated/peer-visibility';
import { StateRepository } from '../storage/state.repository';
import {
  EventByTimestampRepository,
  type EventAtTimestamp,
  type TimestampDirection,
} from './event-by-timestamp.repository';

const HISTORY_VISIBILITY = stateKeyTuple('m.room.history_visibility', '');

/** Spec `timestamp_to_event` from what this server holds, for its users and for servers in the room. */
@Injectable()
export class EventByTimestampService {
  constructor(
    private readonly events: EventByTimestampRepository,
    private readonly state: StateRepository,
    private readonly peers: PeerVisibility,
    private readonly tx: TransactionRunner,
  ) {}

  /**
   * For a member, or anyone when the room is world-readable; others are refused as for an unknown
   * room. The event found may still be one the user cannot read: /context filters that, as it does
   * for Synapse.
   */
  async forUser(
    userId: string,
    roomId: string,
    ts: number,
    dir: TimestampDirection,
  ): Promise<EventAtTimestamp | undefined> {
    return this.tx.read(async (em) => {
      const member = (await this.state.membership(roomId, userId, em)) === 'join';
      if (!member) {
        const visibility = (await this.state.currentState(roomId, em, [HISTORY_VISIBILITY])).get(HISTORY_VISIBILITY);
        if (visibility?.content.history_visibility !== 'world_readable') throw roomErrors.notInRoom();
      }
      return this.events.closest(roomId, ts, dir, em);
    });
  }

  /** Spec SS API `GET /timestamp_to_event/{roomId}`: for servers in the room that its ACL lets in. */
  async forServer(
    serverName: string,
    roomId: string,
    ts: number,
    dir: TimestampDirection,
  ): Promise<EventAtTimestamp | undefined> {
    return this.tx.read(async (em) => {
      if (!(await this.peers.isInRoom(serverName, roomId, em))) throw roomErrors.notInRoom();
      return this.events.closest(roomId, ts, dir, em);
    });
  }

  /** Whether we lack history just before the event, so another server may know a closer one. */
  async followsGap(eventId: string): Promise<boolean> {
    return this.tx.read((em) => this.events.followsGap(eventId, em));
  }

  /** The other servers in the room, to ask when we hold nothing near the time. */
  async otherServersInRoom(roomId: string, ourName: string): Promise<string[]> {
    return this.tx.read(async (em) => (await this.state.joinedServers(roomId, em)).filter((s) => s !== ourName));
  }
}
