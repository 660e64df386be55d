import type { EntityManager } from 'typeorm';

/**
 * The `stream_positions` counter rows (room events, receipts, account data; see the
 * SyncStreams migration), all in one round trip. Each row is written by the lib that owns its
 * stream; readers such as sync take them together.
 */
export async function readStreamPositions(em: EntityManager): Promise<Map<string, number>> {
  const rows: Array<{ stream: string; position: string }> = await em.query(
    'SELECT stream, position FROM stream_positions',
  );
  return new Map(rows.map((row) => [row.stream, Number(row.position)]));
}
