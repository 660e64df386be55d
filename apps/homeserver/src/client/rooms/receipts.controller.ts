import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { ZodBodyPipe } from '@hearth/http';
import { ReceiptsService } from '@hearth/rooms';

const ReceiptBody = z.object({ thread_id: z.string().max(255).optional() }).optional();
const MarkersBody = z.object({
  'm.fully_read': z.string().max(255).optional(),
  'm.read': z.string().max(255).optional(),
  'm.read.private': z.string().max(255).optional(),
});

@Controller('_matrix/client/v3/rooms/:roomId')
@UseGuards(AccessTokenGuard)
export class ReceiptsController {
  constructor(private readonly receipts: ReceiptsService) {}

  /** POST /_matrix/client/v3/rooms/{roomId}/receipt/{receiptType}/{eventId} */
  @Post('receipt/:receiptType/:eventId')
  @HttpCode(200)
  async receipt(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Param('receiptType') type: string,
    @Param('eventId') eventId: string,
    @Body(new ZodBodyPipe(ReceiptBody)) body: z.output<typeof ReceiptBody>,
  ) {
    await this.receipts.setReceipt(roomId, who.userId, type, eventId, body?.thread_id);
    return {};
  }

  /** POST /_matrix/client/v3/rooms/{roomId}/read_markers */
  @Post('read_markers')
  @HttpCode(200)
  async readMarkers(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Body(new ZodBodyPipe(MarkersBody)) body: z.output<typeof MarkersBody>,
  ) {
    for (const type of ['m.fully_read', 'm.read', 'm.read.private'] as const) {
      const eventId = body[type];
      if (eventId !== undefined) await this.receipts.setReceipt(roomId, who.userId, type, eventId, undefined);
    }
    return {};
  }
}
