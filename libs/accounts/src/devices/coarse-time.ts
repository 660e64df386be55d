/** A timestamp rounded down to `resolutionMs` (a day by default): enough to say "in use", not when (docs/privacy.md). */
export function coarseTime(ms: number, resolutionMs: number): number {
  return ms - (ms % resolutionMs);
}
