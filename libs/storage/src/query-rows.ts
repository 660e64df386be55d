import type { EntityManager } from 'typeorm';

/** Rows of a query through the pg driver; TypeORM answers `UPDATE/DELETE ... RETURNING` as [rows, count]. */
export async function queryRows<T>(em: EntityManager, sql: string, parameters: unknown[] = []): Promise<T[]> {
  const result: unknown = await em.query(sql, parameters);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0] as T[];
  return result as T[];
}
