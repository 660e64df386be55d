import type { EntityManager } from 'typeorm';
import { queryRows } from '@hearth/storage';

/** Runs `deleteReturning` (a DELETE ... RETURNING 1) and counts the rows it removed. */
export function countDeleted(em: EntityManager, deleteReturning: string, parameters: unknown[]): Promise<number> {
  return queryCount(em, `WITH gone AS (${deleteReturning}) SELECT count(*)::int AS n FROM gone`, parameters);
}

/** Runs a statement answering one row `{ n }` (a WITH of deletes ending in a count) and answers n. */
export async function queryCount(em: EntityManager, statement: string, parameters: unknown[]): Promise<number> {
  const [row] = await queryRows<{ n: number }>(em, statement, parameters);
  return row?.n ?? 0;
}
