import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { nullsAsAbsent, ZodBodyPipe } from '@hearth/http';
import { ContentReportsService } from '@hearth/rooms';

/** Long enough for any explanation; a report is no place for a megabyte of text. */
const reason = z.string().max(10_000);
const EventReportBody = nullsAsAbsent(
  z.object({ reason: reason.optional(), score: z.number().int().min(-100).max(0).optional() }),
);
const RoomReportBody = z.object({ reason });

@Controller('_matrix/client/v3/rooms')
@UseGuards(AccessTokenGuard)
export class ReportsController {
  constructor(private readonly reports: ContentReportsService) {}

  /** POST /_matrix/client/v3/rooms/{roomId}/report/{eventId} */
  @Post(':roomId/report/:eventId')
  @HttpCode(200)
  async reportEvent(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Param('eventId') eventId: string,
    @Body(new ZodBodyPipe(EventReportBody)) body: z.output<typeof EventReportBody>,
  ) {
    await this.reports.reportEvent(who.userId, roomId, eventId, body);
    return {};
  }

  /** POST /_matrix/client/v3/rooms/{roomId}/report */
  @Post(':roomId/report')
  @HttpCode(200)
  async reportRoom(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Body(new ZodBodyPipe(RoomReportBody)) body: z.output<typeof RoomReportBody>,
  ) {
    await this.reports.reportRoom(who.userId, roomId, body.reason);
    return {};
  }
}
