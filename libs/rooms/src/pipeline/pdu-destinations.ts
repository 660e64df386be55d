import { isValidUserId, parseUserId, toPdu, type JsonObject, type RoomEvent, type RoomVersion } from '@hearth/protocol';

/** An event the pipeline records for other servers, and whom the room held when it was written. */
export interface OutboundEvent {
  readonly event: RoomEvent;
  readonly version: RoomVersion;
  /**
   * The room's joined members before the event, as the caller read them under the room's lock
   * (the event's own membership change is covered by adding its target's server). Read once.
   */
  readonly joined: Iterable<string>;
  /** A server that has the event already (the one whose user's membership we accepted). */
  readonly except?: string | undefined;
}

/**
 * Spec SS API "PDUs": a new event goes to every server with a member joined to the room, and a
 * membership change also to its target's server; never to ourselves. Events that reach nobody
 * are left out.
 */
export function outboxItems(
  events: readonly OutboundEvent[],
  ownServer: string,
): Array<{ pdu: JsonObject; destinations: string[] }> {
  return events
    .map(({ event, version, joined, except }) => {
      const destinations = new Set([...joined].map((userId) => parseUserId(userId).serverName));
      if (event.type === 'm.room.member' && event.state_key !== undefined && isValidUserId(event.state_key))
        destinations.add(parseUserId(event.state_key).serverName);
      destinations.delete(ownServer);
      if (except !== undefined) destinations.delete(except);
      return { pdu: toPdu(event, version.roomIdFromCreateEvent), destinations: [...destinations] };
    })
    .filter((item) => item.destinations.length > 0);
}
