import { MatrixError } from '@hearth/http';

/** A boolean query parameter: `true` or `false` as the spec writes them, `1`/`0` too (as Synapse reads them). */
export function booleanParam(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw MatrixError.invalidParam(`${name} must be true or false`);
}

/** An integer query parameter of at least `min`, capped at `max` (the spec lets servers impose one). */
export function integerParam(
  name: string,
  value: string | undefined,
  range: { readonly min: number; readonly max: number; readonly fallback: number },
): number {
  if (value === undefined) return range.fallback;
  const parsed = /^-?\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < range.min)
    throw MatrixError.invalidParam(`${name} must be an integer of at least ${range.min}`);
  return Math.min(parsed, range.max);
}
