import { Body, Controller, Param, Put, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { ZodBodyPipe } from '@hearth/http';
import { TypingService } from '@hearth/rooms';

const TypingBody = z.object({ typing: z.boolean(), timeout: z.number().int().min(0).optional() });

@Controller('_matrix/client/v3/rooms/:roomId')
@UseGuards(AccessTokenGuard)
export class TypingController {
  constructor(private readonly typing: TypingService) {}

  /** PUT /_matrix/client/v3/rooms/{roomId}/typing/{userId} */
  @Put('typing/:userId')
  async setTyping(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Param('userId') userId: string,
    @Body(new ZodBodyPipe(TypingBody)) body: z.output<typeof TypingBody>,
  ) {
    await this.typing.setTyping(roomId, who.userId, userId, body.typing, body.timeout);
    return {};
  }
}
