import { describe, expect, it } from 'vitest';
import { ConflictError } from '@assent/platform';
import type { LineageIndex } from '../../src/domain/ports.js';
import type { Lineage } from '../../src/domain/types.js';
import { lineageKey } from '../../src/domain/lineage.js';

const lineage = (attempt: number): Lineage => ({
  lastId: `01J000000000000000000000${String(attempt).padStart(2, '0')}`,
  previousId: attempt > 1 ? `01J000000000000000000000${String(attempt - 1).padStart(2, '0')}` : '',
  attempt,
  openedAt: Array.from({ length: attempt }, (_, i) => new Date(Date.UTC(2030, 0, 1, i))),
});

/** One contract for every LineageIndex: the KV index and the in-memory twin. */
export function lineageIndexContract(name: string, make: () => Promise<LineageIndex>, tenantOf: () => string): void {
  describe(`LineageIndex contract: ${name}`, () => {
    it('creates once, then updates only from the revision read, per tenant', async () => {
      const index = await make();
      const t = tenantOf();
      const key = lineageKey('oidc:alice@example.test', 'payouts.change_details', 'payout-account/42');
      expect(await index.get(t, key)).toBeUndefined();
      await index.save(t, key, lineage(1), 0);
      await expect(index.save(t, key, lineage(1), 0)).rejects.toBeInstanceOf(ConflictError);
      const head = await index.get(t, key);
      expect(head?.lineage).toEqual(lineage(1));
      await index.save(t, key, lineage(2), head?.etag ?? -1);
      await expect(index.save(t, key, lineage(3), head?.etag ?? -1)).rejects.toBeInstanceOf(ConflictError);
      expect((await index.get(t, key))?.lineage).toEqual(lineage(2));
      expect(await index.get(tenantOf(), key)).toBeUndefined();
    });
  });
}
