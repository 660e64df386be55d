import { Body, Controller, Get, Param, Put, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { BodyLimit, EVENT_BODY_BYTES, MatrixError, ZodBodyPipe } from '@hearth/http';
import type { JsonObject } from '@hearth/protocol';
import { parseRoomEventFilter, RoomEventsService } from '@hearth/rooms';

const Content = z.record(z.string(), z.unknown()).transform((value) => value as JsonObject);
const RedactBody = z.object({ reason: z.string().max(1024).optional() });

@Controller('_matrix/client/v3/rooms/:roomId')
@UseGuards(AccessTokenGuard)
export class RoomEventsController {
  constructor(private readonly events: RoomEventsService) {}

  /** PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId} */
  @Put('send/:eventType/:txnId')
  @BodyLimit(EVENT_BODY_BYTES)
  send(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Param('eventType') type: string,
    @Param('txnId') txnId: string,
    @Body(new ZodBodyPipe(Content)) content: JsonObject,
  ) {
    return this.events.sendWithTxn(roomId, who, txnId, { type, content });
  }

  /** PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey} */
  @Put(['state/:eventType', 'state/:eventType/:stateKey'])
  @BodyLimit(EVENT_BODY_BYTES)
  setState(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Param('eventType') type: string,
    @Param('stateKey') stateKey: string | undefined,
    @Body(new ZodBodyPipe(Content)) content: JsonObject,
  ) {
    return this.events.sendState(roomId, who.userId, type, stateKey ?? '', content);
  }

  /** GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey} */
  @Get(['state/:eventType', 'state/:eventType/:stateKey'])
  getState(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Param('eventType') type: string,
    @Param('stateKey') stateKey: string | undefined,
  ) {
    return this.events.stateEvent(roomId, who.userId, type, stateKey ?? '');
  }

  /** GET /_matrix/client/v3/rooms/{roomId}/state */
  @Get('state')
  state(@Requester() who: Requester, @Param('roomId') roomId: string) {
    return this.events.currentState(roomId, who.userId);
  }

  /** PUT /_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId} */
  @Put('redact/:eventId/:txnId')
  @BodyLimit(EVENT_BODY_BYTES)
  redact(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Param('eventId') eventId: string,
    @Param('txnId') txnId: string,
    @Body(new ZodBodyPipe(RedactBody)) body: z.output<typeof RedactBody>,
  ) {
    return this.events.redact(roomId, who, eventId, txnId, body.reason);
  }

  /** GET /_matrix/client/v3/rooms/{roomId}/event/{eventId} */
  @Get('event/:eventId')
  event(@Requester() who: Requester, @Param('roomId') roomId: string, @Param('eventId') eventId: string) {
    return this.events.event(roomId, who, eventId);
  }

  /** GET /_matrix/client/v3/rooms/{roomId}/context/{eventId} */
  @Get('context/:eventId')
  context(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Param('eventId') eventId: string,
    @Query('limit') limit?: string,
  ) {
    const size = limit === undefined ? 10 : Number(limit);
    if (!Number.isInteger(size) || size < 0) throw MatrixError.invalidParam('limit must be a non-negative integer');
    return this.events.context(roomId, who, eventId, Math.min(size, 100));
  }

  /** GET /_matrix/client/v3/rooms/{roomId}/messages */
  @Get('messages')
  messages(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Query('from') from?: string,
    @Query('dir') dir?: string,
    @Query('limit') limit?: string,
    @Query('filter') filterJson?: string,
  ) {
    if (dir !== 'b' && dir !== 'f') throw MatrixError.invalidParam('dir must be b or f');
    const filter = parseRoomEventFilter(filterJson);
    const size = limit === undefined ? (filter.limit ?? 10) : Number(limit);
    if (!Number.isInteger(size) || size < 1) throw MatrixError.invalidParam('limit must be a positive integer');
    // An empty `from` (matrix-nio's room_messages(start="")) means "from the end", as in Synapse,
    // which treats any falsy `from` as absent.
    return this.events.messages(roomId, who, { from: from || undefined, dir, limit: Math.min(size, 1000), filter });
  }
}
