import { coarseTime } from './coarse-time';

describe('coarseTime', () => {
  const day = 86_400_000;

  it('rounds down to the start of the UTC day by default resolution', () => {
    expect(coarseTime(Date.UTC(2026, 11, 6, 21, 30, 12, 345), day)).toBe(Date.UTC(2026, 11, 6));
  });

  it('leaves a time already on the boundary as it is, and keeps exact times at a resolution of 1 ms', () => {
    expect(coarseTime(Date.UTC(2026, 0, 1), day)).toBe(Date.UTC(2026, 0, 1));
    expect(coarseTime(1_765_000_123_456, 1)).toBe(1_765_000_123_456);
  });
});
