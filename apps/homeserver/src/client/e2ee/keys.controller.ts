import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AccessTokenGuard, Requester, UIA_STAGES, UiaService } from '@hearth/accounts';
import { CrossSigningService, KeysService } from '@hearth/e2ee';
import { BodyLimit, CLIENT_DATA_BODY_BYTES } from '@hearth/http';
import { isJsonObject } from '@hearth/protocol';
import { TransactionRunner } from '@hearth/storage';

const PASSWORD_FLOWS = [[UIA_STAGES.password]];

@Controller('_matrix/client/v3/keys')
@UseGuards(AccessTokenGuard)
export class KeysController {
  constructor(
    private readonly keys: KeysService,
    private readonly crossSigning: CrossSigningService,
    private readonly uia: UiaService,
    private readonly tx: TransactionRunner,
  ) {}

  /** POST /_matrix/client/v3/keys/upload */
  @Post('upload')
  @BodyLimit(CLIENT_DATA_BODY_BYTES)
  @HttpCode(200)
  upload(@Requester() who: Requester, @Body() body: unknown) {
    return this.keys.upload({ userId: who.userId, deviceId: who.deviceId }, body);
  }

  /** POST /_matrix/client/v3/keys/query */
  @Post('query')
  @HttpCode(200)
  query(@Requester() who: Requester, @Body() body: unknown) {
    return this.keys.query(body, who.userId);
  }

  /** POST /_matrix/client/v3/keys/claim */
  @Post('claim')
  @HttpCode(200)
  claim(@Body() body: unknown) {
    return this.keys.claim(body);
  }

  /** POST /_matrix/client/v3/keys/device_signing/upload */
  @Post('device_signing/upload')
  @HttpCode(200)
  async uploadSigningKeys(@Req() request: FastifyRequest, @Requester() who: Requester, @Body() body: unknown) {
    if (await this.crossSigning.needsAuth(who.userId, body)) {
      const auth = isJsonObject(body) ? body.auth : undefined;
      const success = await this.uia.authenticate(
        { method: request.method, path: request.url, auth, userId: who.userId },
        PASSWORD_FLOWS,
      );
      // The session is used up first: a failed upload then needs a new authentication, never a replay.
      await this.tx.run((em) => this.uia.consume(success, em));
    }
    await this.crossSigning.upload(who.userId, body);
    return {};
  }

  /** POST /_matrix/client/v3/keys/signatures/upload */
  @Post('signatures/upload')
  @HttpCode(200)
  uploadSignatures(@Requester() who: Requester, @Body() body: unknown) {
    return this.crossSigning.uploadSignatures(who.userId, body);
  }
}
