import { describe, expect, it } from 'vitest';
import type { IdempotencyStore } from '../../src/domain/ports.js';

/** One contract for every IdempotencyStore: Redis and its in-memory twin. */
export function idempotencyStoreContract(name: string, make: () => Promise<IdempotencyStore>, tenantOf: () => string): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    it('binds a key to the first id and answers that id to every later call', async () => {
      const store = await make();
      const tenant = tenantOf();
      expect(await store.bind(tenant, 'k', 'id-1')).toBe('id-1');
      expect(await store.bind(tenant, 'k', 'id-2')).toBe('id-1');
      expect(await store.bind(tenant, 'k2', 'id-3')).toBe('id-3');
    });

    it('gives concurrent binds of one key one id', async () => {
      const store = await make();
      const tenant = tenantOf();
      const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => store.bind(tenant, 'race', `id-${i}`)));
      expect(new Set(ids).size).toBe(1);
    });

    it('keeps tenants apart', async () => {
      const store = await make();
      const tenant = tenantOf();
      await store.bind(tenant, 'k', 'id-a');
      expect(await store.bind(`${tenant}-x`, 'k', 'id-b')).toBe('id-b');
    });
  });
}
