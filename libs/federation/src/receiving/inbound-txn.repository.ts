import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import { queryRows } from '@hearth/storage';

/** Answers to transactions already processed, so a peer's retry gets the same answer (spec: idempotent per origin and txnId). */
@Injectable()
export class InboundTxnRepository {
  async find(origin: string, txnId: string, em: EntityManager): Promise<JsonObject | undefined> {
    const rows = await queryRows<{ response: JsonObject }>(
      em,
      'SELECT response FROM federation_inbound_txns WHERE origin = $1 AND txn_id = $2',
      [origin, txnId],
    );
    return rows[0]?.response;
  }

  async store(origin: string, txnId: string, response: JsonObject, em: EntityManager): Promise<void> {
    await em.query(
      'INSERT INTO federation_inbound_txns (origin, txn_id, response, received_ts) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [origin, txnId, JSON.stringify(response), Date.now()],
    );
  }
}
