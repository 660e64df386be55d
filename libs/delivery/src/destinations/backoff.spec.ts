import { retryDelay } from './backoff';

const HOUR = 60 * 60 * 1000;
/** The largest value Math.random can return. */
const ALMOST_ONE = 1 - Number.EPSILON;

describe('retryDelay', () => {
  const top = () => 1;
  const bottom = () => 0;

  it('doubles from 2 s after the first failure (the sender passes failures counted so far + 1)', () => {
    expect([1, 2, 3, 4, 5, 6].map((failures) => retryDelay(failures, HOUR, top))).toEqual([
      2_000, 4_000, 8_000, 16_000, 32_000, 64_000,
    ]);
  });

  it('starts from 1 s for zero failures', () => {
    expect(retryDelay(0, HOUR, top)).toBe(1_000);
  });

  it('jitters each delay between half of it and all of it', () => {
    expect(retryDelay(3, HOUR, bottom)).toBe(4_000);
    expect(retryDelay(3, HOUR, () => 0.5)).toBe(6_000);
    expect(retryDelay(3, HOUR, () => ALMOST_ONE)).toBe(8_000);
  });

  it('stays within [base / 2, base] and is a whole number of milliseconds for any random value', () => {
    const randoms = Array.from({ length: 200 }, (_, i) => i / 200);
    for (const failures of [1, 4, 9, 13]) {
      const base = Math.min(HOUR, 1000 * 2 ** failures);
      for (const r of randoms) {
        const delay = retryDelay(failures, HOUR, () => r);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(base / 2);
        expect(delay).toBeLessThanOrEqual(base);
      }
    }
  });

  it('never goes past the ceiling (delivery.max_retry_interval_minutes), and jitters below it too', () => {
    // 2^12 s is past an hour: the ceiling applies from the 12th failure on.
    expect(retryDelay(11, HOUR, top)).toBe(2_048_000);
    expect(retryDelay(12, HOUR, top)).toBe(HOUR);
    expect(retryDelay(12, HOUR, bottom)).toBe(HOUR / 2);
    expect(retryDelay(40, HOUR, top)).toBe(HOUR);
    const oneMinute = 60_000;
    expect(retryDelay(10, oneMinute, top)).toBe(oneMinute);
  });

  it('stays finite for a destination that has failed for a very long time', () => {
    for (const failures of [31, 100, 1_000, 1_000_000]) {
      const delay = retryDelay(failures, Number.MAX_SAFE_INTEGER, top);
      expect(Number.isFinite(delay)).toBe(true);
      expect(delay).toBe(1000 * 2 ** 30);
    }
  });

  it('uses Math.random when no source of randomness is given', () => {
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      expect(retryDelay(2, HOUR)).toBe(3_000);
      expect(random).toHaveBeenCalledTimes(1);
    } finally {
      random.mockRestore();
    }
  });
});
