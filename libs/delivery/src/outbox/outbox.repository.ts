import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '@hearth/protocol';
import { queryRows } from '@hearth/storage';

export interface OutboxRow {
  readonly id: number;
  readonly payload: JsonObject;
}

/** One federation transaction's rows, under the ID it keeps until the peer accepts it. */
export interface OutboxTransaction {
  readonly txnId: string;
  readonly pdus: OutboxRow[];
  readonly edus: OutboxRow[];
}

interface PendingRow {
  id: string;
  kind: 'pdu' | 'edu';
  payload: JsonObject;
}

function byKind(rows: readonly PendingRow[]): { pdus: OutboxRow[]; edus: OutboxRow[] } {
  const of = (kind: string) =>
    rows
      .filter((row) => row.kind === kind)
      .map((row) => ({ id: Number(row.id), payload: row.payload }))
      .sort((a, b) => a.id - b.id);
  return { pdus: of('pdu'), edus: of('edu') };
}

/** What each destination has yet to receive, in the order it was recorded. */
@Injectable()
export class OutboxRepository {
  async insert(
    rows: ReadonlyArray<{ destination: string; kind: 'pdu' | 'edu'; payload: JsonObject; droppable?: boolean }>,
    em: EntityManager,
  ): Promise<void> {
    if (rows.length === 0) return;
    await em.query(
      `INSERT INTO federation_outbox (destination, kind, payload, droppable, created_ts)
       SELECT t.destination, t.kind, t.payload, t.droppable, $5 FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::boolean[]) WITH ORDINALITY AS t (destination, kind, payload, droppable, n)
       ORDER BY t.n`,
      [
        rows.map((r) => r.destination),
        rows.map((r) => r.kind),
        rows.map((r) => JSON.stringify(r.payload)),
        rows.map((r) => r.droppable ?? false),
        Date.now(),
      ],
    );
  }

  /**
   * The destination's transaction that was begun and not yet accepted (its rows are deleted once
   * it is), to be sent again with the same ID; undefined when there is none.
   */
  async begun(destination: string, em: EntityManager): Promise<OutboxTransaction | undefined> {
    const rows = await queryRows<PendingRow & { txn_id: string }>(
      em,
      `SELECT id, kind, payload, txn_id FROM federation_outbox
        WHERE destination = $1 AND txn_id = (SELECT txn_id FROM federation_outbox WHERE destination = $1 AND txn_id IS NOT NULL ORDER BY id LIMIT 1)
        ORDER BY id`,
      [destination],
    );
    const txnId = rows[0]?.txn_id;
    return txnId === undefined ? undefined : { txnId, ...byKind(rows) };
  }

  /**
   * Puts the destination's oldest rows in no transaction yet, at most `limits` of each kind, into
   * a new transaction called `txnId`; returns it, or undefined when nothing is waiting.
   */
  async begin(
    destination: string,
    txnId: string,
    limits: { pdus: number; edus: number },
    em: EntityManager,
  ): Promise<OutboxTransaction | undefined> {
    const rows = await queryRows<PendingRow>(
      em,
      `WITH picked AS (
         (SELECT id FROM federation_outbox WHERE destination = $1 AND kind = 'pdu' AND txn_id IS NULL ORDER BY id LIMIT $3)
         UNION ALL
         (SELECT id FROM federation_outbox WHERE destination = $1 AND kind = 'edu' AND txn_id IS NULL ORDER BY id LIMIT $4))
       UPDATE federation_outbox o SET txn_id = $2 FROM picked WHERE o.id = picked.id AND o.txn_id IS NULL
       RETURNING o.id, o.kind, o.payload`,
      [destination, txnId, limits.pdus, limits.edus],
    );
    return rows.length === 0 ? undefined : { txnId, ...byKind(rows) };
  }

  async delete(ids: readonly number[], em: EntityManager): Promise<void> {
    if (ids.length === 0) return;
    await em.query('DELETE FROM federation_outbox WHERE id = ANY($1::bigint[])', [ids]);
  }

  /**
   * Stale droppable EDUs (typing) of a destination that is failing: not worth sending late. Rows
   * of a transaction already begun stay: its retry must send exactly what the first attempt sent
   * under its ID, or a peer that did receive it would drop the retry and miss nothing, while one
   * that did not would get a different transaction under an ID it may have half-seen.
   */
  async dropStale(destination: string, olderThan: number, em: EntityManager): Promise<void> {
    await em.query(
      'DELETE FROM federation_outbox WHERE destination = $1 AND droppable AND created_ts < $2 AND txn_id IS NULL',
      [destination, olderThan],
    );
  }

  /**
   * Spec "catch-up": of a long backlog, only each room's newest PDU is kept; the peer fetches
   * what it lacks before it (get_missing_events, state at the gap). EDUs stay, and so does a
   * transaction already begun (see dropStale). Returns how many PDUs were dropped.
   */
  async keepNewestPduPerRoom(destination: string, em: EntityManager): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      em,
      `DELETE FROM federation_outbox o WHERE o.destination = $1 AND o.kind = 'pdu' AND o.txn_id IS NULL
          AND EXISTS (SELECT 1 FROM federation_outbox n WHERE n.destination = o.destination AND n.kind = 'pdu'
                         AND n.payload->>'room_id' = o.payload->>'room_id' AND n.id > o.id)
       RETURNING o.id`,
      [destination],
    );
    return rows.length;
  }

  async pduCountFor(destination: string, em: EntityManager): Promise<number> {
    const [row] = await queryRows<{ count: string }>(
      em,
      "SELECT count(*) AS count FROM federation_outbox WHERE destination = $1 AND kind = 'pdu'",
      [destination],
    );
    return Number(row?.count ?? 0);
  }

  /** Destinations with something pending. */
  async destinationsWithPending(em: EntityManager): Promise<string[]> {
    const rows = await queryRows<{ destination: string }>(em, 'SELECT DISTINCT destination FROM federation_outbox');
    return rows.map((row) => row.destination);
  }

  async countFor(destination: string, em: EntityManager): Promise<number> {
    const [row] = await queryRows<{ count: string }>(
      em,
      'SELECT count(*) AS count FROM federation_outbox WHERE destination = $1',
      [destination],
    );
    return Number(row?.count ?? 0);
  }
}
