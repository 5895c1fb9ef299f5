import { describe, expect, it } from 'vitest';
import { agreeOnId, type IdRegistry } from '../../src/adapters/openfga/id-registry.js';

/** One contract for the KV id registry and its in-memory twin. */
export function idRegistryContract(name: string, make: () => Promise<IdRegistry[]>): void {
  describe(`IdRegistry contract: ${name}`, () => {
    it('keeps the first create and updates only at the current revision', async () => {
      const [a, b] = await make();
      if (!a || !b) throw new Error('need two registries');
      expect(await a.get('store.x')).toBeUndefined();
      expect(await a.create('store.x', 'one')).toBe(true);
      expect(await b.create('store.x', 'two')).toBe(false);
      const first = await b.get('store.x');
      expect(first?.value).toBe('one');
      expect(await b.update('store.x', 'three', first?.revision ?? 0)).toBe(true);
      expect(await a.update('store.x', 'four', first?.revision ?? 0)).toBe(false);
      expect((await a.get('store.x'))?.value).toBe('three');
    });

    it('lets concurrent proposers agree on one id and discards the losers\' own proposals', async () => {
      const registries = await make();
      const discarded: string[] = [];
      let n = 0;
      const ids = await Promise.all(
        registries.map((r) =>
          agreeOnId(r, 'model.s.h', {
            valid: async () => true,
            propose: async () => ({ id: `id-${++n}`, mine: true }),
            discard: async (id) => void discarded.push(id),
          }),
        ),
      );
      expect(new Set(ids).size).toBe(1);
      expect(discarded.sort()).toEqual(Array.from({ length: n }, (_, i) => `id-${i + 1}`).filter((id) => id !== ids[0]).sort());
    });

    it('never discards its own proposal when another replica registered it first', async () => {
      // B creates a store; C finds it by name (adoption) and registers it before B does.
      const [b, c] = await make();
      if (!b || !c) throw new Error('need two registries');
      const discarded: string[] = [];
      let adopted: Promise<string> | undefined;
      const idB = await agreeOnId(b, 'store.z', {
        valid: async () => true,
        propose: async () => {
          adopted = agreeOnId(c, 'store.z', { valid: async () => true, propose: async () => ({ id: 'store-b', mine: false }), discard: async () => undefined });
          await adopted;
          return { id: 'store-b', mine: true };
        },
        discard: async (id) => void discarded.push(id),
      });
      expect(await adopted).toBe('store-b');
      expect(idB).toBe('store-b');
      expect(discarded).toEqual([]);
    });

    it('replaces a registered id that is no longer valid', async () => {
      const [a] = await make();
      if (!a) throw new Error('need a registry');
      await a.create('store.y', 'deleted-store');
      const id = await agreeOnId(a, 'store.y', {
        valid: async (v) => v !== 'deleted-store',
        propose: async () => ({ id: 'new-store', mine: true }),
        discard: async () => undefined,
      });
      expect(id).toBe('new-store');
      expect((await a.get('store.y'))?.value).toBe('new-store');
    });
  });
}
