import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { turnCredentials } from '@hearth/calls';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';

@Controller('_matrix/client/v3/voip')
@UseGuards(AccessTokenGuard)
export class VoipController {
  constructor(@Inject(HEARTH_CONFIG) private readonly config: HearthConfig) {}

  /**
   * GET /_matrix/client/v3/voip/turnServer
   * Without relays configured, an empty object, as Synapse answers: clients then call peer to peer
   * or over their own STUN servers.
   */
  @Get('turnServer')
  turnServer(@Requester() who: Requester) {
    return this.config.turn ? turnCredentials(this.config.turn, who.userId, Date.now()) : {};
  }
}
