import { Injectable, Logger } from '@nestjs/common';
import type { z } from 'zod';
import { MatrixError } from '@hearth/http';
import { FederationClient, FederationRequestError } from '@hearth/federation-client';
import {
  InviteAnswer,
  parseUserId,
  toPdu,
  type InviteRequest,
  type JsonObject,
  type RoomEvent,
  type RoomVersion,
} from '@hearth/protocol';
import type { InviteCountersigner } from '@hearth/rooms';
import { PduVerifier } from '../events/pdu-verifier';

/**
 * Spec SS API `PUT /v2/invite`, the inviting side: the invitee's server must sign the invite before
 * we store it. Serves rooms' `INVITE_COUNTERSIGNER` port (bound in the app module).
 */
@Injectable()
export class RemoteInvitesService implements InviteCountersigner {
  private readonly logger = new Logger(RemoteInvitesService.name);

  constructor(
    private readonly client: FederationClient,
    private readonly verifier: PduVerifier,
  ) {}

  async countersign(invite: RoomEvent, version: RoomVersion, inviteRoomState: JsonObject[]): Promise<RoomEvent> {
    const destination = parseUserId(invite.state_key ?? '').serverName;
    let returned: JsonObject;
    try {
      const body = {
        room_version: version.id,
        event: toPdu(invite, version.roomIdFromCreateEvent),
        invite_room_state: inviteRoomState,
      } satisfies z.input<typeof InviteRequest>;
      const answer = await this.client.request(
        destination,
        {
          method: 'PUT',
          path: `/_matrix/federation/v2/invite/${encodeURIComponent(invite.room_id)}/${encodeURIComponent(invite.event_id)}`,
          body,
        },
        InviteAnswer,
      );
      returned = answer.event;
    } catch (error) {
      if (error instanceof FederationRequestError && error.status < 500)
        throw MatrixError.forbidden(`The invitee's server refused the invite: ${error.message}`);
      throw new MatrixError(502, 'M_UNKNOWN', "The invitee's server could not be reached");
    }
    const signed = await this.verifier
      .verify(returned, version, invite.room_id)
      .catch((error: unknown) =>
        this.logger.warn(`the invite ${destination} returned failed its checks: ${String(error)}`),
      );
    const countersigned = signed?.event_id === invite.event_id && signed.signatures?.[destination] !== undefined;
    if (!signed || !countersigned)
      throw new MatrixError(502, 'M_UNKNOWN', "The invitee's server returned a different or unsigned invite");
    return { ...invite, signatures: { ...invite.signatures, [destination]: signed.signatures?.[destination] ?? {} } };
  }
}
