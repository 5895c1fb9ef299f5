import { describe, expect, it } from 'vitest';
import type { StepUpStore } from '../../src/domain/ports.js';

const session = (principal: string) => ({ principal, acr: 'mfa', amr: ['pwd', 'otp'], authTime: new Date('2030-01-01T00:00:00.000Z'), expiresAt: new Date(0) });

/**
 * One contract for every StepUpStore: Redis and the in-memory twin. `wait` lets
 * real time pass (Redis expires keys on its own clock).
 */
export function stepUpStoreContract(name: string, make: () => Promise<StepUpStore>, tenantOf: () => string, wait: (ms: number) => Promise<void>): void {
  describe(`StepUpStore contract: ${name}`, () => {
    it('holds a session per tenant and person, returns it with its sign-in, and slides its window when used', async () => {
      const store = await make();
      const t = tenantOf();
      expect(await store.touch(t, 'bob', 1_000)).toBeUndefined();
      await store.open(t, session('bob'), 1_000);
      const got = await store.touch(t, 'bob', 1_000);
      expect(got).toMatchObject({ principal: 'bob', acr: 'mfa', amr: ['pwd', 'otp'], authTime: new Date('2030-01-01T00:00:00.000Z') });
      expect(await store.touch(tenantOf(), 'bob', 1_000)).toBeUndefined();
      expect(await store.touch(t, 'alice', 1_000)).toBeUndefined();
      // Used every 600 ms, a 1 s window holds past 1 s; left alone for 2 s, it lapses.
      await wait(600);
      expect(await store.touch(t, 'bob', 1_000)).toBeDefined();
      await wait(600);
      expect(await store.touch(t, 'bob', 1_000)).toBeDefined();
      await wait(2_000);
      expect(await store.touch(t, 'bob', 1_000)).toBeUndefined();
    });
  });
}
