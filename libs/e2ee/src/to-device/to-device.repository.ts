import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface ToDeviceMessage {
  readonly sender: string;
  readonly type: string;
  readonly content: Record<string, unknown>;
}

@Injectable()
export class ToDeviceRepository {
  /**
   * Stores one send's messages under one position from the `to_device` counter row (so positions
   * become visible in order), unless the sender's device already used this transaction ID.
   * Returns whether anything was stored.
   */
  async insert(
    sender: { userId: string; deviceId: string; txnId: string },
    type: string,
    targets: ReadonlyArray<{ userId: string; deviceId: string; content: Record<string, unknown> }>,
    em: EntityManager,
  ): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `WITH txn AS (INSERT INTO to_device_txns (user_id, device_id, txn_id, created_ts) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1),
            counter AS (UPDATE stream_positions SET position = position + 1 WHERE stream = 'to_device' AND EXISTS (SELECT 1 FROM txn) RETURNING position),
            stored AS (INSERT INTO device_inbox (user_id, device_id, stream_id, sender, type, content)
                       SELECT t.user_id, t.device_id, counter.position, $1, $5, t.content
                         FROM counter, unnest($6::text[], $7::text[], $8::jsonb[]) AS t (user_id, device_id, content))
       SELECT 1 FROM counter`,
      [
        sender.userId,
        sender.deviceId,
        sender.txnId,
        Date.now(),
        type,
        targets.map((t) => t.userId),
        targets.map((t) => t.deviceId),
        targets.map((t) => JSON.stringify(t.content)),
      ],
    );
    return rows.length > 0;
  }

  /** The device's messages in (after, upTo], oldest first, at most `limit`, with their positions. */
  async pending(
    userId: string,
    deviceId: string,
    after: number,
    upTo: number,
    limit: number,
    em: EntityManager,
  ): Promise<Array<ToDeviceMessage & { position: number }>> {
    const rows: Array<{ sender: string; type: string; content: Record<string, unknown>; stream_id: string }> =
      await em.query(
        `SELECT sender, type, content, stream_id FROM device_inbox
        WHERE user_id = $1 AND device_id = $2 AND stream_id > $3 AND stream_id <= $4
        ORDER BY stream_id LIMIT $5`,
        [userId, deviceId, after, upTo, limit],
      );
    return rows.map((row) => ({
      sender: row.sender,
      type: row.type,
      content: row.content,
      position: Number(row.stream_id),
    }));
  }

  /** Messages the device has acknowledged by syncing past them. */
  async deleteUpTo(userId: string, deviceId: string, upTo: number, em: EntityManager): Promise<void> {
    await em.query('DELETE FROM device_inbox WHERE user_id = $1 AND device_id = $2 AND stream_id <= $3', [
      userId,
      deviceId,
      upTo,
    ]);
  }
}
