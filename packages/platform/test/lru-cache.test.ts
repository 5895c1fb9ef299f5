import { describe, expect, it } from 'vitest';
import { LruCache } from '@assent/platform';

describe('LruCache', () => {
  it('evicts the least recently used entry and never returns one at or past its deadline', () => {
    const clock = { t: 1_000 };
    const lru = new LruCache<string, number>(2, () => clock.t);
    lru.set('a', 1, 2_000);
    lru.set('b', 2, 2_000);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3, 1_500);
    expect(lru.get('b')).toBeUndefined();
    expect([lru.get('a'), lru.get('c')]).toEqual([1, 3]);
    clock.t = 1_500;
    expect(lru.get('c')).toBeUndefined();
    lru.set('d', 4, 1_500);
    expect(lru.get('d')).toBeUndefined();
    expect(lru.size).toBe(1);
  });
});
