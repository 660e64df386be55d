import type { ValueTransformer } from 'typeorm';

/** `pg` returns BIGINT as a string; our timestamps and stream IDs stay well inside 2^53. */
export const bigintMillis: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
