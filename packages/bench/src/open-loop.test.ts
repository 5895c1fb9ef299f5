import { describe, expect, it } from 'vitest';
import { openLoop } from './open-loop.js';

describe('openLoop', () => {
  it('starts runs on schedule whatever their latency, and skips starts at the in-flight cap', async () => {
    const slow = () => new Promise<void>((r) => setTimeout(r, 100));
    const t0 = Date.now();
    const a = await openLoop({ rate: 200, seconds: 0.25, maxInFlight: 1000 }, slow);
    expect(a).toEqual({ started: 50, skipped: 0 });
    // 50 runs of 100 ms each, started over 250 ms: open loop, not one after another.
    expect(Date.now() - t0).toBeLessThan(1000);
    const b = await openLoop({ rate: 200, seconds: 0.25, maxInFlight: 5 }, slow);
    expect(b.started + b.skipped).toBe(50);
    expect(b.skipped).toBeGreaterThan(30);
  });
});
