import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isValidUserId, parseUserId, toPdu, type JsonObject, type RoomEvent, type RoomVersion } from '@hearth/protocol';
import { ServerSigner } from '@hearth/signing';
import { StateRepository } from '../storage/state.repository';

export type OutboxRecorder = (items: ReadonlyArray<{ pdu: JsonObject; destinations: readonly string[] }>, em: EntityManager) => Promise<void>;

/**
 * Our users' new events must reach the other servers in their rooms, recorded in the same
 * transaction that commits them (architecture: "outbox row written in the same transaction").
 * Delivery plugs its outbox in here; rooms works out the destinations: every server with a
 * member joined after the event, and the server of a membership change's target.
 */
@Injectable()
export class EventOutboxGateway {
  private recorder: OutboxRecorder | undefined;

  constructor(
    private readonly state: StateRepository,
    private readonly signer: ServerSigner,
  ) {}

  register(recorder: OutboxRecorder): void {
    this.recorder = recorder;
  }

  /**
   * `joined`: the room's joined members as the writer already read them (saves a query; the
   * event's own membership change is covered by adding its target's server). `except`: a server
   * that has the events already (the one whose user's membership we accepted).
   */
  async record(written: ReadonlyArray<{ event: RoomEvent; version: RoomVersion; joined?: Iterable<string> }>, em: EntityManager, except?: string): Promise<void> {
    if (!this.recorder || written.length === 0) return;
    const unknown = written.filter((w) => w.joined === undefined).map((w) => w.event.room_id);
    const servers = unknown.length > 0 ? await this.state.joinedServersOfRooms(unknown, em) : new Map<string, string[]>();
    const items = written.map(({ event, version, joined }) => {
      const destinations = new Set(joined === undefined ? (servers.get(event.room_id) ?? []) : [...joined].map((userId) => parseUserId(userId).serverName));
      if (event.type === 'm.room.member' && event.state_key !== undefined && isValidUserId(event.state_key)) destinations.add(parseUserId(event.state_key).serverName);
      destinations.delete(this.signer.serverName);
      if (except !== undefined) destinations.delete(except);
      return { pdu: toPdu(event, version.roomIdFromCreateEvent), destinations: [...destinations] };
    });
    if (items.every((item) => item.destinations.length === 0)) return;
    await this.recorder(items, em);
  }
}
