import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryRows } from './sql';

/** Client transaction IDs: a retried PUT /send returns the event it created the first time. */
@Injectable()
export class TxnRepository {
  async find(userId: string, deviceId: string, txnId: string, em: EntityManager): Promise<{ eventId: string; bodyHash: string } | undefined> {
    const rows = await queryRows<{ event_id: string; body_hash: string }>(
      em,
      'SELECT event_id, body_hash FROM event_txns WHERE user_id = $1 AND device_id = $2 AND txn_id = $3',
      [userId, deviceId, txnId],
    );
    return rows[0] && { eventId: rows[0].event_id, bodyHash: rows[0].body_hash };
  }

  async insert(userId: string, deviceId: string, txnId: string, eventId: string, bodyHash: string, now: number, em: EntityManager): Promise<void> {
    await em.query('INSERT INTO event_txns (user_id, device_id, txn_id, event_id, body_hash, created_ts) VALUES ($1, $2, $3, $4, $5, $6)', [userId, deviceId, txnId, eventId, bodyHash, now]);
  }
}
