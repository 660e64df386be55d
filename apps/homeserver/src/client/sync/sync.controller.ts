import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { MatrixError } from '@hearth/http';
import { SyncService } from '@hearth/sync';

const CLIENT_GONE = 'client gone';

@Controller('_matrix/client/v3/sync')
@UseGuards(AccessTokenGuard)
export class SyncController {
  constructor(private readonly sync: SyncService) {}

  /** GET /_matrix/client/v3/sync */
  @Get()
  async get(
    @Requester() who: Requester,
    @Req() request: FastifyRequest,
    @Query('since') since?: string,
    @Query('filter') filter?: string,
    @Query('full_state') fullState?: string,
    @Query('timeout') timeout?: string,
    @Query('set_presence') setPresence?: string,
  ) {
    const timeoutMs = timeout === undefined ? 0 : Number(timeout);
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0)
      throw MatrixError.invalidParam('timeout must be a whole number of milliseconds');
    if (fullState !== undefined && fullState !== 'true' && fullState !== 'false')
      throw MatrixError.invalidParam('full_state must be true or false');
    // A client that hangs up stops the wait at once instead of holding it until the timeout. The
    // request closes after every answer too, so the listener goes once the answer is ready: no
    // abort (an event dispatched to nobody) for every sync answered.
    const gone = new AbortController();
    const hangUp = () => gone.abort(CLIENT_GONE);
    request.raw.once('close', hangUp);
    try {
      return await this.sync.sync(who.userId, who.deviceId, {
        ...(since !== undefined ? { since } : {}),
        ...(filter !== undefined ? { filter } : {}),
        ...(setPresence !== undefined ? { setPresence } : {}),
        fullState: fullState === 'true',
        timeoutMs,
        signal: gone.signal,
      });
    } finally {
      request.raw.off('close', hangUp);
    }
  }
}
