import { Inject, Injectable } from '@nestjs/common';
import { MatrixError } from '@hearth/http';
import { stateKeyTuple, type JsonObject } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';
import { EventWriter } from '../events/event-writer.service';
import { STRIPPED_STATE_TYPES, strip } from '../state/stripped-state';
import { StateRepository } from '../storage/state.repository';
import { MissingEventsError, RejectedEventError } from '../federated/rejected-event';
import { RemoteEventReceiver } from '../federated/remote-event-receiver';
import { INVITE_COUNTERSIGNER, type InviteCountersigner } from './invite-countersigner';

/**
 * Spec SS API "Inviting to a room", the inviting side: the invite is built and authorised under
 * the room's lock, countersigned by the invitee's server with no lock held (it may take
 * seconds), then stored like an event from elsewhere, because the room may have moved on
 * meanwhile (the invite then forks the DAG briefly, which the next event closes).
 */
@Injectable()
export class RemoteInviteService {
  constructor(
    private readonly writer: EventWriter,
    private readonly receiver: RemoteEventReceiver,
    @Inject(INVITE_COUNTERSIGNER) private readonly countersigner: InviteCountersigner,
    private readonly state: StateRepository,
    private readonly tx: TransactionRunner,
  ) {}

  async invite(roomId: string, sender: string, target: string, content: JsonObject): Promise<void> {
    const draft = { type: 'm.room.member', state_key: target, sender, content: { ...content, membership: 'invite' } };
    const { event, version, strippedState } = await this.tx.run(async (em) => {
      const prepared = await this.writer.prepareOnly(roomId, draft, em);
      const tuples = [...STRIPPED_STATE_TYPES]
        .map((type) => stateKeyTuple(type, ''))
        .concat(stateKeyTuple('m.room.member', sender));
      const state = await this.state.currentState(roomId, em, tuples);
      return { ...prepared, strippedState: [...state.values()].map(strip) };
    });
    const countersigned = await this.countersigner.countersign(event, version, strippedState);
    await this.tx.run(async (em) => {
      try {
        // Countersigned, the invite is still ours to send to the room's other servers.
        if ((await this.receiver.receive(countersigned, em, {})) === 'soft-failed')
          throw MatrixError.forbidden('The room changed and no longer allows this invite');
      } catch (error) {
        if (error instanceof RejectedEventError || error instanceof MissingEventsError)
          throw MatrixError.forbidden(error.message);
        throw error;
      }
    });
  }
}
