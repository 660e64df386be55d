import { Body, Controller, HttpCode, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccessTokenGuard, Requester } from '@hearth/accounts';
import { MatrixError } from '@hearth/http';
import { parseSlidingRequest, SlidingSyncService } from '@hearth/sync';

@Controller('_matrix/client/unstable/org.matrix.simplified_msc3575')
@UseGuards(AccessTokenGuard)
export class SlidingSyncController {
  constructor(private readonly sliding: SlidingSyncService) {}

  /** POST /_matrix/client/unstable/org.matrix.simplified_msc3575/sync (MSC4186) */
  @Post('sync')
  @HttpCode(200)
  async sync(
    @Requester() who: Requester,
    @Req() request: FastifyRequest,
    @Body() body: unknown,
    @Query('pos') pos?: string,
    @Query('timeout') timeout?: string,
  ) {
    const timeoutMs = timeout === undefined ? undefined : Number(timeout);
    if (timeoutMs !== undefined && (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0))
      throw MatrixError.invalidParam('timeout must be a whole number of milliseconds');
    const parsed = parseSlidingRequest(body, {
      ...(pos !== undefined ? { pos } : {}),
      ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}),
    });
    // A client that hangs up stops the wait at once.
    const gone = new AbortController();
    request.raw.once('close', () => gone.abort());
    return this.sliding.sync({ userId: who.userId, deviceId: who.deviceId }, parsed, gone.signal);
  }
}
