import { describe, expect, it } from 'vitest';
import type { ModelRegistry } from '../../src/adapters/openfga/model-pointer.js';

const eventually = async (what: () => boolean, ms = 5_000) => {
  const until = Date.now() + ms;
  while (!what()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** What the current-model pointer needs of the id registry, for the KV registry and its in-memory twin. */
export function modelRegistryContract(name: string, make: () => Promise<ModelRegistry[]>): void {
  describe(`ModelRegistry contract: ${name}`, () => {
    it('swaps at the current revision only, returning the new one (0: create)', async () => {
      const [a, b] = await make();
      if (!a || !b) throw new Error('need two registries');
      const first = await a.swap('current-model.s', 'one', 0);
      expect(first).toBeGreaterThan(0);
      expect(await b.swap('current-model.s', 'two', 0)).toBeUndefined();
      const second = await b.swap('current-model.s', 'two', first ?? -1);
      expect(second).toBeGreaterThan(first ?? 0);
      expect(await a.swap('current-model.s', 'three', first ?? -1)).toBeUndefined();
      expect(await a.get('current-model.s')).toEqual({ value: 'two', revision: second });
    });

    it('tells every watcher the value now and each change, on any replica, until stopped', async () => {
      const [a, b] = await make();
      if (!a || !b) throw new Error('need two registries');
      const seenA: (string | undefined)[] = [];
      const seenB: (string | undefined)[] = [];
      const rev = (await a.swap('current-model.w', 'one', 0)) ?? 0;
      const watchA = await a.watch('current-model.w', (v) => seenA.push(v));
      const watchB = await b.watch('current-model.w', (v) => seenB.push(v));
      await eventually(() => seenA.length === 1 && seenB.length === 1);
      await b.swap('current-model.w', 'two', rev);
      await a.swap('current-model.other', 'elsewhere', 0);
      await eventually(() => seenA.at(-1) === 'two' && seenB.at(-1) === 'two');
      expect(seenA).toEqual(['one', 'two']);
      await watchA.stop();
      await a.swap('current-model.w', 'three', (await a.get('current-model.w'))?.revision ?? 0);
      await eventually(() => seenB.at(-1) === 'three');
      expect(seenA).toEqual(['one', 'two']);
      expect(seenB).toEqual(['one', 'two', 'three']);
      await watchB.stop();
    });
  });
}
