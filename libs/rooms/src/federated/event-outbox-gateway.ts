import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isValidUserId, parseUserId, toPdu, type JsonObject, type RoomEvent, type RoomVersion } from '@hearth/protocol';
import { ServerSigner } from '@hearth/signing';
import { StateRepository } from '../storage/state.repository';

/** Port: where new events are recorded for other servers (delivery's outbox). Bound in the app module. */
export const OUTBOX_PORT = Symbol('OUTBOX_PORT');

export interface OutboxPort {
  /** PDUs for their destinations, written inside the caller's transaction `em`. */
  recordPdus(
    items: ReadonlyArray<{ pdu: JsonObject; destinations: readonly string[] }>,
    em: EntityManager,
  ): Promise<void>;
}

/** For a composition without federation (the CLI's admin context): nothing is recorded for other servers. */
export const NO_FEDERATION_OUTBOX: OutboxPort = { recordPdus: () => Promise.resolve() };

/**
 * Our users' new events must reach the other servers in their rooms, recorded in the same
 * transaction that commits them (architecture: "outbox row written in the same transaction").
 * Rooms works out the destinations, the outbox port records them: every server with a
 * member joined after the event, and the server of a membership change's target.
 */
@Injectable()
export class EventOutboxGateway {
  constructor(
    private readonly state: StateRepository,
    private readonly signer: ServerSigner,
    @Inject(OUTBOX_PORT) private readonly outbox: OutboxPort,
  ) {}

  /**
   * `joined`: the room's joined members as the writer already read them (saves a query; the
   * event's own membership change is covered by adding its target's server). `except`: a server
   * that has the events already (the one whose user's membership we accepted).
   */
  async record(
    written: ReadonlyArray<{ event: RoomEvent; version: RoomVersion; joined?: Iterable<string> }>,
    em: EntityManager,
    except?: string,
  ): Promise<void> {
    if (written.length === 0) return;
    const unknown = written.filter((w) => w.joined === undefined).map((w) => w.event.room_id);
    const servers =
      unknown.length > 0 ? await this.state.joinedServersOfRooms(unknown, em) : new Map<string, string[]>();
    const items = written.map(({ event, version, joined }) => {
      const destinations = new Set(
        joined === undefined
          ? (servers.get(event.room_id) ?? [])
          : [...joined].map((userId) => parseUserId(userId).serverName),
      );
      if (event.type === 'm.room.member' && event.state_key !== undefined && isValidUserId(event.state_key))
        destinations.add(parseUserId(event.state_key).serverName);
      destinations.delete(this.signer.serverName);
      if (except !== undefined) destinations.delete(except);
      return { pdu: toPdu(event, version.roomIdFromCreateEvent), destinations: [...destinations] };
    });
    if (items.every((item) => item.destinations.length === 0)) return;
    await this.outbox.recordPdus(items, em);
  }
}
