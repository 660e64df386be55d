import { MatrixError } from '@hearth/http';
import { integerParam } from './query-params';

/** The `ts` and `dir` both timestamp_to_event endpoints require. */
export function timestampQuery(ts: string | undefined, dir: string | undefined): { ts: number; dir: 'f' | 'b' } {
  if (ts === undefined) throw MatrixError.missingParam('ts is required');
  if (dir === undefined) throw MatrixError.missingParam('dir is required');
  if (dir !== 'f' && dir !== 'b') throw MatrixError.invalidParam('dir must be f or b');
  return { ts: integerParam('ts', ts, { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 }), dir };
}
