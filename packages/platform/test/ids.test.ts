import { describe, expect, it } from 'vitest';
import { decodeTime, isValid } from 'ulid';
import { monotonicUlids, newUlid, pooledPrng } from '@assent/platform';

describe('ids from the pooled CSPRNG', () => {
  it('are valid, unique ULIDs carrying the current time', () => {
    const before = Date.now();
    const ids = Array.from({ length: 10_000 }, newUlid);
    expect(ids.every(isValid)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(decodeTime(ids[0] as string)).toBeGreaterThanOrEqual(before);
  });

  it('sort in creation order from a monotonic factory, even within one millisecond', () => {
    const next = monotonicUlids();
    const ids = Array.from({ length: 5_000 }, () => next(1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draw every ULID character about equally often', () => {
    const counts = new Array<number>(32).fill(0);
    for (let i = 0; i < 64_000; i++) (counts[Math.floor(pooledPrng() * 32)] as number)++;
    // 2,000 expected per character; 5 standard deviations (~220) either side.
    for (const c of counts) expect(Math.abs(c - 2_000)).toBeLessThan(230);
    for (let i = 0; i < 10_000; i++) {
      const x = pooledPrng();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});
