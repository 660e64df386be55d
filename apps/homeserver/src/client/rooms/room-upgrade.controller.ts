import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { ZodBodyPipe } from '@hearth/http';
import { RoomUpgradeService } from '@hearth/rooms';

const UpgradeBody = z.object({
  new_version: z.string().min(1).max(32),
  additional_creators: z.array(z.string()).optional(),
});

@Controller('_matrix/client/v3/rooms/:roomId')
@UseGuards(AccessTokenGuard)
export class RoomUpgradeController {
  constructor(private readonly upgrades: RoomUpgradeService) {}

  /** POST /_matrix/client/v3/rooms/{roomId}/upgrade */
  @Post('upgrade')
  @HttpCode(200)
  upgrade(
    @Requester() who: Requester,
    @Param('roomId') roomId: string,
    @Body(new ZodBodyPipe(UpgradeBody)) body: z.output<typeof UpgradeBody>,
  ) {
    return this.upgrades.upgrade(roomId, who.userId, body.new_version);
  }
}
