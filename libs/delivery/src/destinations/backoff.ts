/** Exponential backoff with jitter: 2, 4, 8 … seconds, at most `ceilingMs`, each between half and all of it. */
export function retryDelay(failures: number, ceilingMs: number, random: () => number = Math.random): number {
  const base = Math.min(ceilingMs, 1000 * 2 ** Math.min(failures, 30));
  return Math.round(base * (0.5 + random() / 2));
}
