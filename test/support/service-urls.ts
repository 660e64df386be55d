/** Where the tests find their services; overridable for machines with other ports. */
export const TEST_POSTGRES_ADMIN_URL =
  process.env.HEARTH_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.HEARTH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Set by the global setup when no PostgreSQL answered outside CI: tests use the embedded database. */
export const EMBEDDED_FALLBACK_FLAG = 'HEARTH_TEST_EMBEDDED_FALLBACK';

export function usingEmbeddedFallback(): boolean {
  return process.env[EMBEDDED_FALLBACK_FLAG] === '1';
}
