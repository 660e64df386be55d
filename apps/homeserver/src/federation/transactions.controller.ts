import { Body, Controller, Param, Put, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { MAX_TRANSACTION_DEPTH, TransactionReceiver } from '@hearth/federation';
import { FederationAuthGuard, FederationOrigin } from '@hearth/federation-client';
import { BodyLimit, BULK_BODY_BYTES, MatrixError, ZodBodyPipe } from '@hearth/http';
import { SendTransactionBody } from '@hearth/protocol';

@Controller('_matrix/federation/v1')
@UseGuards(FederationAuthGuard)
export class FederationTransactionsController {
  constructor(private readonly receiver: TransactionReceiver) {}

  /** PUT /_matrix/federation/v1/send/{txnId} */
  // PDUs and EDUs with strings we cannot store, or nested deeper than we accept, are refused one
  // by one, not the whole transaction: a peer may allow what we do not.
  @Put('send/:txnId')
  @BodyLimit(BULK_BODY_BYTES, { stringsCheckedByHandler: true, maxDepth: MAX_TRANSACTION_DEPTH })
  async send(
    @FederationOrigin() origin: string,
    @Param('txnId') txnId: string,
    @Body(new ZodBodyPipe(SendTransactionBody)) body: z.output<typeof SendTransactionBody>,
  ) {
    if (body.origin !== origin)
      throw MatrixError.forbidden('The transaction’s origin is not the server that signed the request');
    return this.receiver.receive(origin, txnId, body);
  }
}
