import { Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { stateKeyTuple, type JsonObject, type RoomEvent } from '@hearth/protocol';
import { FederatedRoomsService } from '../federated/federated-rooms.service';
import { EventBuilder } from '../pipeline/event-builder';

/**
 * An invite declined or a knock withdrawn when no server of the room takes the leave (gone,
 * unreachable, or refusing): the leave is made and kept here alone, on top of the invite or knock,
 * as Synapse's out-of-band leave is. The invite stops showing and the account moves on; the room's
 * servers are never told, so they learn nothing either. Without it a spam invite from a server
 * that has since vanished could never be declined.
 */
@Injectable()
export class LocalRejection {
  constructor(
    private readonly federated: FederatedRoomsService,
    private readonly builder: EventBuilder,
  ) {}

  async store(membership: RoomEvent, reason: string | undefined): Promise<void> {
    const userId = membership.state_key ?? '';
    const version = await this.federated.roomVersion(membership.room_id);
    if (!version) throw MatrixError.notFound('No such room here');
    const content: JsonObject = { membership: 'leave', ...(reason !== undefined ? { reason } : {}) };
    const leave = this.builder.build(
      membership.room_id,
      { type: 'm.room.member', state_key: userId, sender: userId, content },
      {
        prevEvents: [membership.event_id],
        depth: membership.depth + 1,
        authState: new Map([[stateKeyTuple('m.room.member', userId), membership]]),
        now: Date.now(),
        version,
      },
    );
    await this.federated.storeOutOfRoomMembership(version, leave);
  }
}
