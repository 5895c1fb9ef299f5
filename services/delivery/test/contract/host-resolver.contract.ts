import { describe, expect, it } from 'vitest';
import type { HostResolver } from '../../src/domain/ports.js';

/** One contract for every HostResolver: system DNS and its in-memory twin. */
export function hostResolverContract(name: string, make: () => Promise<HostResolver>): void {
  describe(`HostResolver contract: ${name}`, () => {
    it('resolves localhost to loopback addresses', async () => {
      const addresses = await (await make()).resolve('localhost');
      expect(addresses).toContain('127.0.0.1');
      for (const a of addresses) expect(['127.0.0.1', '::1']).toContain(a);
    });

    it('answers [] for a name that does not exist', async () => {
      expect(await (await make()).resolve('no-such-host.invalid')).toEqual([]);
    });
  });
}
