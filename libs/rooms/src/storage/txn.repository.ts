import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from './sql';

/** Client transaction IDs: a retried PUT /send returns the event it created the first time. */
@Injectable()
export class TxnRepository {
  /** The event a client transaction produced. Call with the room locked, so a concurrent retry waits for the first. */
  async find(userId: string, deviceId: string, txnId: string, em: EntityManager): Promise<{ eventId: string; bodyHash: string } | undefined> {
    const rows = await queryRows<{ event_id: string; body_hash: string }>(
      em,
      'SELECT event_id, body_hash FROM event_txns WHERE user_id = $1 AND device_id = $2 AND txn_id = $3',
      [userId, deviceId, txnId],
    );
    return rows[0] && { eventId: rows[0].event_id, bodyHash: rows[0].body_hash };
  }
}
