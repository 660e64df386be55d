import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { MAX_NOTARY_SERVERS, NotaryService, ServerKeysService } from '@hearth/federation';
import { MatrixError, ZodBodyPipe } from '@hearth/http';

const KeyCriteria = z.object({ minimum_valid_until_ts: z.number().int().nonnegative().optional() }).loose();
const NotaryQuery = z.object({
  server_keys: z
    .record(z.string(), z.record(z.string(), KeyCriteria))
    .refine((servers) => Object.keys(servers).length <= MAX_NOTARY_SERVERS, {
      error: `at most ${MAX_NOTARY_SERVERS} servers per request`,
    }),
});

@Controller('_matrix/key/v2')
export class ServerKeyController {
  constructor(
    private readonly keys: ServerKeysService,
    private readonly notary: NotaryService,
  ) {}

  /** GET /_matrix/key/v2/server */
  @Get('server')
  serverKeys() {
    return this.keys.keyDocument();
  }

  /**
   * GET /_matrix/key/v2/server/{keyId}
   * Deprecated in the spec, which says to answer as if no key ID were given; Synapse releases
   * still deployed ask this path, and cannot verify any of our requests without an answer.
   */
  @Get('server/:keyId')
  serverKeysForKeyId() {
    return this.keys.keyDocument();
  }

  /**
   * GET /_matrix/key/v2/query/{serverName}
   * Also the deprecated `/query/{serverName}/{keyId}`, answered as if the key ID were absent (MSC3938).
   */
  @Get(['query/:serverName', 'query/:serverName/:keyId'])
  async queryOne(@Param('serverName') serverName: string, @Query('minimum_valid_until_ts') minimum?: string) {
    const minimumValidUntil = minimum === undefined ? 0 : Number(minimum);
    if (!Number.isSafeInteger(minimumValidUntil) || minimumValidUntil < 0)
      throw MatrixError.invalidParam('minimum_valid_until_ts must be a timestamp');
    return { server_keys: await this.notary.query(new Map([[serverName, minimumValidUntil]])) };
  }

  /** POST /_matrix/key/v2/query */
  @Post('query')
  @HttpCode(200)
  async query(@Body(new ZodBodyPipe(NotaryQuery)) body: z.output<typeof NotaryQuery>) {
    const servers = new Map(
      Object.entries(body.server_keys).map(([name, keys]) => [
        name,
        Math.max(0, ...Object.values(keys).map((key) => key.minimum_valid_until_ts ?? 0)),
      ]),
    );
    return { server_keys: await this.notary.query(servers) };
  }
}
