import { Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import {
  FederationAnswerError,
  FederationClient,
  FederationRequestError,
  FederationUnreachableError,
} from '@hearth/federation-client';
import {
  isStorableString,
  MissingEventsAnswer,
  PduTransactionAnswer,
  StateIdsAnswer,
  type JsonObject,
  type MissingEventsRequest,
  type RoomEvent,
  type RoomVersion,
} from '@hearth/protocol';
import { FederatedRoomsService, MissingEventsError, RejectedEventError } from '@hearth/rooms';
import { TransactionRunner } from '@hearth/storage';
import { InvalidPduError, PduVerifier } from '../events/pdu-verifier';
import { InboundTxnRepository } from './inbound-txn.repository';
import { EduHandler } from './edu-handler';

export interface InboundTransaction {
  readonly pdus: readonly unknown[];
  readonly edus: readonly unknown[];
}

type PduResult = Record<string, JsonObject>;

/** How many missing prev events one PDU may pull in with get_missing_events. */
const MISSING_EVENTS_LIMIT = 10;
/** The most state and auth chain events fetched to cross one gap. */
const MAX_GAP_STATE_EVENTS = 1000;
const FETCH_CONCURRENCY = 10;

/** The room a PDU says it is in, read before it is verified to queue it behind that room's others. */
const RoomOfPdu = z.looseObject({ room_id: z.string().refine(isStorableString) });

/**
 * Spec SS API `PUT /send/{txnId}`: PDUs are processed in order within each room (rooms in
 * parallel), each on its own, so one bad PDU never sinks the others; the answer lists each PDU's
 * outcome and is kept for retries of the same transaction.
 */
@Injectable()
export class TransactionReceiver {
  private readonly logger = new Logger(TransactionReceiver.name);
  private readonly roomQueues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly tx: TransactionRunner,
    private readonly txns: InboundTxnRepository,
    private readonly rooms: FederatedRoomsService,
    private readonly verifier: PduVerifier,
    private readonly client: FederationClient,
    private readonly edus: EduHandler,
  ) {}

  async receive(origin: string, txnId: string, transaction: InboundTransaction): Promise<JsonObject> {
    const earlier = await this.tx.read((em) => this.txns.find(origin, txnId, em));
    if (earlier) return earlier;
    const byRoom = new Map<string, unknown[]>();
    for (const pdu of transaction.pdus) {
      // A room ID the database cannot hold (U+0000) names no room of ours: dropped like any unknown room.
      const roomId = RoomOfPdu.safeParse(pdu).data?.room_id ?? '';
      byRoom.set(roomId, [...(byRoom.get(roomId) ?? []), pdu]);
    }
    const results: PduResult = {};
    await Promise.all(
      [...byRoom].map(([roomId, pdus]) =>
        this.inRoomOrder(roomId, () => this.processRoom(origin, roomId, pdus, results)),
      ),
    );
    await this.edus.handle(origin, transaction.edus);
    const response: JsonObject = { pdus: results };
    await this.tx.run((em) => this.txns.store(origin, txnId, response, em));
    return response;
  }

  private async processRoom(
    origin: string,
    roomId: string,
    pdus: readonly unknown[],
    results: PduResult,
  ): Promise<void> {
    const version = roomId === '' ? undefined : await this.rooms.roomVersion(roomId);
    // PDUs of rooms we are not in (or cannot read) are dropped: their event IDs cannot even be computed.
    if (!version) return;
    const allowed = await this.rooms.isServerAllowed(roomId, origin);
    const events: RoomEvent[] = [];
    for (const pdu of pdus) {
      try {
        events.push(await this.verifier.verify(pdu, version, roomId));
      } catch (error) {
        this.logger.debug(`dropped a PDU from ${origin}: ${(error as Error).message}`);
        if (error instanceof InvalidPduError && error.eventId !== undefined)
          results[error.eventId] = { error: error.message };
      }
    }
    if (!allowed) {
      for (const event of events)
        results[event.event_id] = { error: 'Your server is banned from this room by its server ACL' };
      return;
    }
    for (const event of await this.receiveTogether(events, results))
      results[event.event_id] = await this.process(origin, event, version);
  }

  /**
   * The common case, a run of events that build on what we hold, in one transaction; returns
   * the events that need more (missing events to fetch, or a batch the database refused).
   */
  private async receiveTogether(events: readonly RoomEvent[], results: PduResult): Promise<readonly RoomEvent[]> {
    if (events.length < 2) return events;
    try {
      const { outcomes, rest } = await this.rooms.receiveInOrder(events);
      for (const [eventId, outcome] of outcomes)
        results[eventId] = outcome instanceof RejectedEventError ? { error: outcome.message } : {};
      return rest;
    } catch (error) {
      this.logger.debug(`receiving ${events.length} PDUs together failed, taking them one by one: ${String(error)}`);
      return events;
    }
  }

  private async process(origin: string, event: RoomEvent, version: RoomVersion): Promise<JsonObject> {
    try {
      await this.receiveFetchingGaps(origin, event, version, true);
      return {};
    } catch (error) {
      if (
        error instanceof RejectedEventError ||
        error instanceof MissingEventsError ||
        error instanceof InvalidPduError
      ) {
        this.logger.debug(`PDU ${event.event_id} from ${origin}: ${error.message}`);
        return { error: error.message };
      }
      // What the PDU needed could not be had from its origin: the origin's failure, not ours.
      if (
        error instanceof FederationAnswerError ||
        error instanceof FederationRequestError ||
        error instanceof FederationUnreachableError
      ) {
        this.logger.warn(`PDU ${event.event_id} from ${origin}: fetching what it needs failed: ${error.message}`);
        return { error: 'Could not fetch the events it needs' };
      }
      this.logger.error(`PDU ${event.event_id} from ${origin} failed: ${String(error)}`);
      return { error: 'Internal error' };
    }
  }

  private async receiveFetchingGaps(
    origin: string,
    event: RoomEvent,
    version: RoomVersion,
    mayFetchPrev: boolean,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.rooms.receive(event);
        return;
      } catch (error) {
        if (!(error instanceof MissingEventsError) || attempt > 1) throw error;
        if (error.kind === 'auth') await this.fetchAuthEvents(origin, event.room_id, error.missing, version);
        else if (mayFetchPrev && attempt === 0) await this.fetchMissingPrevEvents(origin, event, version);
        // get_missing_events did not reach our events: take the state at each missing prev event instead.
        else if (mayFetchPrev)
          for (const prev of error.missing) await this.fetchStateAcrossGap(origin, event.room_id, prev, version);
        else throw error;
      }
    }
  }

  /** Spec: missing auth events are fetched from the origin and kept as outliers. */
  private async fetchAuthEvents(
    origin: string,
    roomId: string,
    missing: readonly string[],
    version: RoomVersion,
  ): Promise<void> {
    const fetched = await this.fetchEvents(origin, roomId, missing, version);
    await this.rooms.storeOutliers([...fetched.values()], version);
  }

  /**
   * Spec SS API "Retrieving state": for a gap too large to fill, the prev event itself and the
   * state before it (`/state_ids`, then the events we lack, each checked), so that the event
   * after the gap can be judged against resolved state.
   */
  private async fetchStateAcrossGap(
    origin: string,
    roomId: string,
    prevId: string,
    version: RoomVersion,
  ): Promise<void> {
    const { pdu_ids: stateIds, auth_chain_ids: chainIds } = await this.client.request(
      origin,
      {
        method: 'GET',
        path: `/_matrix/federation/v1/state_ids/${encodeURIComponent(roomId)}`,
        query: { event_id: prevId },
      },
      StateIdsAnswer,
    );
    if (stateIds.length + chainIds.length > MAX_GAP_STATE_EVENTS)
      throw new MissingEventsError(prevId, [prevId], 'prev');
    const known = await this.rooms.known([...stateIds, ...chainIds, prevId]);
    const wanted = [...new Set([...chainIds, ...stateIds, prevId])].filter((id) => !known.has(id));
    const fetched = await this.fetchEvents(origin, roomId, wanted, version);
    const prev =
      fetched.get(prevId) ??
      (known.has(prevId)
        ? await this.fetchEvents(origin, roomId, [prevId], version).then((m) => m.get(prevId))
        : undefined);
    if (!prev) throw new MissingEventsError(prevId, [prevId], 'prev');
    await this.rooms.storeOutliers(
      [...fetched.values()].filter((e) => e.event_id !== prevId).sort((a, b) => a.depth - b.depth),
      version,
    );
    await this.rooms.storeAcrossGap(version, prev, stateIds);
  }

  /** Events by ID from a server (`GET /event`), each verified; the ones that fail are left out. */
  private async fetchEvents(
    origin: string,
    roomId: string,
    eventIds: readonly string[],
    version: RoomVersion,
  ): Promise<Map<string, RoomEvent>> {
    const fetched = new Map<string, RoomEvent>();
    for (let i = 0; i < eventIds.length; i += FETCH_CONCURRENCY) {
      await Promise.all(
        eventIds.slice(i, i + FETCH_CONCURRENCY).map(async (eventId) => {
          const answer = await this.client
            .request(
              origin,
              { method: 'GET', path: `/_matrix/federation/v1/event/${encodeURIComponent(eventId)}` },
              PduTransactionAnswer,
            )
            .catch((error: unknown) => this.logger.debug(`fetching ${eventId} from ${origin}: ${String(error)}`));
          const pdu = answer?.pdus[0];
          const verified =
            pdu === undefined
              ? undefined
              : await this.verifier
                  .verify(pdu, version, roomId)
                  .catch((error: unknown) => this.refused(eventId, origin, error));
          if (verified?.event_id === eventId) fetched.set(eventId, verified);
        }),
      );
    }
    return fetched;
  }

  /** Spec "get_missing_events": the events between our extremities and this one, oldest first. */
  private async fetchMissingPrevEvents(origin: string, event: RoomEvent, version: RoomVersion): Promise<void> {
    const body = {
      earliest_events: await this.rooms.extremityIds(event.room_id),
      latest_events: [event.event_id],
      limit: MISSING_EVENTS_LIMIT,
      min_depth: 0,
    } satisfies z.input<typeof MissingEventsRequest>;
    // A malformed answer lists nothing: the state at each missing prev event is fetched instead.
    const listed = await this.client
      .request(
        origin,
        {
          method: 'POST',
          path: `/_matrix/federation/v1/get_missing_events/${encodeURIComponent(event.room_id)}`,
          body,
        },
        MissingEventsAnswer,
      )
      .then(
        (answer) => answer.events,
        (error: unknown) => {
          if (!(error instanceof FederationAnswerError)) throw error;
          this.logger.warn(error.message);
          return [];
        },
      );
    const verified = (
      await Promise.all(
        listed.map((pdu) =>
          this.verifier
            .verify(pdu, version, event.room_id)
            .catch((error: unknown) => this.refused('a missing event', origin, error)),
        ),
      )
    ).filter((e): e is RoomEvent => e !== undefined);
    const known = await this.rooms.known(verified.map((e) => e.event_id));
    for (const missing of verified.filter((e) => !known.has(e.event_id)).sort((a, b) => a.depth - b.depth)) {
      await this.receiveFetchingGaps(origin, missing, version, false).catch((error: unknown) =>
        this.logger.debug(`missing event ${missing.event_id}: ${(error as Error).message}`),
      );
    }
  }

  /** A fetched event that failed its checks is left out, with a line saying why. */
  private refused(what: string, origin: string, error: unknown): undefined {
    this.logger.debug(`${what} from ${origin} refused: ${String(error)}`);
    return undefined;
  }

  private inRoomOrder<T>(roomId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.roomQueues.get(roomId) ?? Promise.resolve();
    const next = previous.then(work, work);
    // The caller gets `next` and its error; the queue only needs to know when it is done.
    const tail = next.catch(() => undefined);
    this.roomQueues.set(roomId, tail);
    void tail.then(() => {
      if (this.roomQueues.get(roomId) === tail) this.roomQueues.delete(roomId);
    });
    return next;
  }
}
