import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { FederationAuthGuard, FederationOrigin } from '@hearth/federation-client';
import { MatrixError, ZodBodyPipe } from '@hearth/http';
import {
  MissingEventsRequest,
  toPdu,
  type MissingEventsAnswer,
  type PduTransactionAnswer,
  type RoomEvent,
  type StateAnswer,
  type StateIdsAnswer,
} from '@hearth/protocol';
import { FederatedRoomsService } from '@hearth/rooms';

const MAX_EVENTS_PER_REQUEST = 100;

/** Spec SS API "Retrieving events", "Backfilling and retrieving missing events": what peers in a room may read of it. */
@Controller('_matrix/federation/v1')
@UseGuards(FederationAuthGuard)
export class FederationEventsController {
  constructor(
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly rooms: FederatedRoomsService,
  ) {}

  /** GET /_matrix/federation/v1/event/{eventId} */
  @Get('event/:eventId')
  async event(
    @FederationOrigin() origin: string,
    @Param('eventId') eventId: string,
  ): Promise<z.input<typeof PduTransactionAnswer>> {
    const event = await this.rooms.eventFor(origin, eventId);
    if (!event) throw MatrixError.notFound('Event not found');
    return this.transaction([await this.pdu(event)]);
  }

  /** GET /_matrix/federation/v1/state/{roomId} */
  @Get('state/:roomId')
  async state(
    @FederationOrigin() origin: string,
    @Param('roomId') roomId: string,
    @Query('event_id') eventId?: string,
  ): Promise<z.input<typeof StateAnswer>> {
    const found = await this.stateAt(origin, roomId, eventId);
    return {
      pdus: await Promise.all(found.state.map((e) => this.pdu(e))),
      auth_chain: await Promise.all(found.authChain.map((e) => this.pdu(e))),
    };
  }

  /** GET /_matrix/federation/v1/state_ids/{roomId} */
  @Get('state_ids/:roomId')
  async stateIds(
    @FederationOrigin() origin: string,
    @Param('roomId') roomId: string,
    @Query('event_id') eventId?: string,
  ): Promise<z.input<typeof StateIdsAnswer>> {
    const found = await this.stateAt(origin, roomId, eventId);
    return { pdu_ids: found.state.map((e) => e.event_id), auth_chain_ids: found.authChain.map((e) => e.event_id) };
  }

  /** GET /_matrix/federation/v1/event_auth/{roomId}/{eventId} */
  @Get('event_auth/:roomId/:eventId')
  async eventAuth(
    @FederationOrigin() origin: string,
    @Param('roomId') roomId: string,
    @Param('eventId') eventId: string,
  ) {
    const chain = await this.rooms.authChainFor(origin, roomId, eventId);
    if (!chain) throw MatrixError.notFound('Event not found');
    return { auth_chain: await Promise.all(chain.map((e) => this.pdu(e))) };
  }

  /** GET /_matrix/federation/v1/backfill/{roomId} */
  @Get('backfill/:roomId')
  async backfill(
    @FederationOrigin() origin: string,
    @Param('roomId') roomId: string,
    @Query('v') v?: string | string[],
    @Query('limit') limitText?: string,
  ): Promise<z.input<typeof PduTransactionAnswer>> {
    const from = v === undefined ? [] : typeof v === 'string' ? [v] : v;
    const limit = Number(limitText ?? 10);
    if (from.length === 0) throw MatrixError.missingParam('v is required');
    if (!Number.isSafeInteger(limit) || limit < 1) throw MatrixError.invalidParam('limit must be a positive integer');
    const events = await this.rooms.eventsBefore(
      origin,
      roomId,
      from,
      [],
      Math.min(limit, MAX_EVENTS_PER_REQUEST),
      true,
    );
    if (!events) throw MatrixError.forbidden('Your server is not in this room');
    return this.transaction(await Promise.all(events.map((e) => this.pdu(e))));
  }

  /** POST /_matrix/federation/v1/get_missing_events/{roomId} */
  @Post('get_missing_events/:roomId')
  @HttpCode(200)
  async missingEvents(
    @FederationOrigin() origin: string,
    @Param('roomId') roomId: string,
    @Body(new ZodBodyPipe(MissingEventsRequest)) body: z.output<typeof MissingEventsRequest>,
  ): Promise<z.input<typeof MissingEventsAnswer>> {
    const events = await this.rooms.eventsBefore(
      origin,
      roomId,
      body.latest_events,
      body.earliest_events,
      Math.min(body.limit, MAX_EVENTS_PER_REQUEST),
      false,
    );
    if (!events) throw MatrixError.forbidden('Your server is not in this room');
    const wanted = events.filter((e) => e.depth >= body.min_depth).sort((a, b) => a.depth - b.depth);
    return { events: await Promise.all(wanted.map((e) => this.pdu(e))) };
  }

  private async stateAt(origin: string, roomId: string, eventId: string | undefined) {
    if (eventId === undefined) throw MatrixError.missingParam('event_id is required');
    const found = await this.rooms.stateFor(origin, roomId, eventId);
    if (!found) throw MatrixError.notFound('Event not found');
    return found;
  }

  private async pdu(event: RoomEvent) {
    const version = await this.rooms.roomVersion(event.room_id);
    return toPdu(event, version?.roomIdFromCreateEvent ?? false);
  }

  private transaction(pdus: unknown[]) {
    return { origin: this.config.serverName, origin_server_ts: Date.now(), pdus };
  }
}
