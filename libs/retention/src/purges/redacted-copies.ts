import type { EntityManager } from 'typeorm';
import { getRoomVersion, redactEvent, type JsonObject } from '@hearth/protocol';
import { queryRows } from '@hearth/storage';

/** Events purged per statement, and the most one run purges per kind, so a run's transaction stays short. */
export const BATCH = 500;
const BATCHES_PER_RUN = 20;

interface EventToPurge {
  readonly event_id: string;
  readonly pdu: JsonObject;
  readonly room_version: string;
}

/**
 * Replaces each event `select` finds with its redacted form (spec "Redactions", by the room's
 * version) and marks it purged, batch by batch. The event stays in the DAG, its hashes and
 * signatures as they were, so other servers can still check and use it; its content and its
 * relations are gone. `select` must answer event_id, pdu and room_version, at most $1 rows, and
 * skip events already purged.
 */
export async function replaceWithRedactedCopies(
  em: EntityManager,
  select: string,
  parameters: unknown[],
  now: number,
): Promise<number> {
  let purged = 0;
  for (let batch = 0; batch < BATCHES_PER_RUN; batch++) {
    const rows = await queryRows<EventToPurge>(em, select, [BATCH, ...parameters]);
    if (rows.length === 0) break;
    const copies = rows.map((row) => {
      const version = getRoomVersion(row.room_version);
      return { id: row.event_id, pdu: version ? redactEvent(row.pdu, version) : redactedFallback(row.pdu) };
    });
    await em.query(
      `UPDATE events e SET pdu = c.pdu, content_purged_ts = $3
         FROM unnest($1::text[], $2::jsonb[]) AS c(event_id, pdu) WHERE e.event_id = c.event_id`,
      [copies.map((c) => c.id), copies.map((c) => JSON.stringify(c.pdu)), now],
    );
    await em.query('DELETE FROM event_relations WHERE event_id = ANY($1::text[])', [copies.map((c) => c.id)]);
    purged += rows.length;
    if (rows.length < BATCH) break;
  }
  return purged;
}

/** A room of a version we no longer know: keep what every version keeps, drop the content. */
function redactedFallback(pdu: JsonObject): JsonObject {
  return { ...pdu, content: {} };
}
