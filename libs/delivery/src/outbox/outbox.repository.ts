import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import { queryRows } from '@hearth/storage';

export interface OutboxRow {
  readonly id: number;
  readonly payload: JsonObject;
}

/** What each destination has yet to receive, in the order it was recorded. */
@Injectable()
export class OutboxRepository {
  async insert(rows: ReadonlyArray<{ destination: string; kind: 'pdu' | 'edu'; payload: JsonObject; droppable?: boolean }>, em: EntityManager): Promise<void> {
    if (rows.length === 0) return;
    await em.query(
      `INSERT INTO federation_outbox (destination, kind, payload, droppable, created_ts)
       SELECT t.destination, t.kind, t.payload, t.droppable, $5 FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::boolean[]) WITH ORDINALITY AS t (destination, kind, payload, droppable, n)
       ORDER BY t.n`,
      [rows.map((r) => r.destination), rows.map((r) => r.kind), rows.map((r) => JSON.stringify(r.payload)), rows.map((r) => r.droppable ?? false), Date.now()],
    );
  }

  /** The oldest pending PDUs and EDUs of a destination, at most `limit` of each. */
  async pending(destination: string, limits: { pdus: number; edus: number }, em: EntityManager): Promise<{ pdus: OutboxRow[]; edus: OutboxRow[] }> {
    const rows = await queryRows<{ id: string; kind: 'pdu' | 'edu'; payload: JsonObject }>(
      em,
      `(SELECT id, kind, payload FROM federation_outbox WHERE destination = $1 AND kind = 'pdu' ORDER BY id LIMIT $2)
       UNION ALL
       (SELECT id, kind, payload FROM federation_outbox WHERE destination = $1 AND kind = 'edu' ORDER BY id LIMIT $3)`,
      [destination, limits.pdus, limits.edus],
    );
    const of = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => ({ id: Number(r.id), payload: r.payload })).sort((a, b) => a.id - b.id);
    return { pdus: of('pdu'), edus: of('edu') };
  }

  async delete(ids: readonly number[], em: EntityManager): Promise<void> {
    if (ids.length === 0) return;
    await em.query('DELETE FROM federation_outbox WHERE id = ANY($1::bigint[])', [ids]);
  }

  /** Stale droppable EDUs (typing) of a destination that is failing: not worth sending late. */
  async dropStale(destination: string, olderThan: number, em: EntityManager): Promise<void> {
    await em.query('DELETE FROM federation_outbox WHERE destination = $1 AND droppable AND created_ts < $2', [destination, olderThan]);
  }

  /**
   * Spec "catch-up": of a long backlog, only each room's newest PDU is kept; the peer fetches
   * what it lacks before it (get_missing_events, state at the gap). EDUs stay. Returns how many
   * PDUs were dropped.
   */
  async keepNewestPduPerRoom(destination: string, em: EntityManager): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      em,
      `DELETE FROM federation_outbox o WHERE o.destination = $1 AND o.kind = 'pdu'
          AND EXISTS (SELECT 1 FROM federation_outbox n WHERE n.destination = o.destination AND n.kind = 'pdu'
                         AND n.payload->>'room_id' = o.payload->>'room_id' AND n.id > o.id)
       RETURNING o.id`,
      [destination],
    );
    return rows.length;
  }

  async pduCountFor(destination: string, em: EntityManager): Promise<number> {
    const [row] = await queryRows<{ count: string }>(em, "SELECT count(*) AS count FROM federation_outbox WHERE destination = $1 AND kind = 'pdu'", [destination]);
    return Number(row?.count ?? 0);
  }

  /** Destinations with something pending. */
  async destinationsWithPending(em: EntityManager): Promise<string[]> {
    const rows = await queryRows<{ destination: string }>(em, 'SELECT DISTINCT destination FROM federation_outbox');
    return rows.map((row) => row.destination);
  }

  async countFor(destination: string, em: EntityManager): Promise<number> {
    const [row] = await queryRows<{ count: string }>(em, 'SELECT count(*) AS count FROM federation_outbox WHERE destination = $1', [destination]);
    return Number(row?.count ?? 0);
  }
}
