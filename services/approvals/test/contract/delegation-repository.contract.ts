import { describe, expect, it } from 'vitest';
import { ConflictError, newEvent } from '@assent/platform';
import type { DelegationRepository } from '../../src/domain/ports.js';
import type { Delegation, DelegationSet } from '../../src/domain/types.js';

// A user id with the characters subjects and KV keys cannot hold.
const FROM = 'oidc:bob.smith@example.test';
const delegation = (id: string, to: string, ended = false): Delegation => ({
  id,
  from: FROM,
  to,
  startsAt: new Date('2030-01-01T00:00:00.000Z'),
  endsAt: new Date('2030-01-08T00:00:00.000Z'),
  reason: 'holiday',
  createdBy: FROM,
  createdAt: new Date('2029-12-30T00:00:00.000Z'),
  ended: ended ? { at: new Date('2030-01-02T00:00:00.000Z'), by: 'root' } : undefined,
});
const set = (tenant: string, version: number, delegations: Delegation[]): DelegationSet => ({ tenant, user: FROM, version, delegations });
const event = (tenant: string) => newEvent({ type: 'assent.approval.delegation_set.v1', service: 'approvals', subject: 'delegation/d', tenant, data: {} });

/** One contract for every DelegationRepository: the JetStream store with its read model, and the in-memory twin. */
export function delegationRepositoryContract(name: string, make: () => Promise<DelegationRepository>, tenantOf: () => string): void {
  describe(`DelegationRepository contract: ${name}`, () => {
    it("stores a person's delegations with compare-and-set and reads them back whole", async () => {
      const repo = await make();
      const t = tenantOf();
      expect(await repo.head(t, FROM)).toBeUndefined();
      const first = set(t, 1, [delegation('01J0000000000000000000000A', 'erin')]);
      await repo.save(first, 0, [event(t)]);
      await expect(repo.save(set(t, 1, []), 0, [event(t)])).rejects.toBeInstanceOf(ConflictError);
      const head = await repo.head(t, FROM);
      expect(head?.set).toEqual(first);
      const second = set(t, 2, [delegation('01J0000000000000000000000A', 'erin', true)]);
      await repo.save(second, head?.etag ?? -1, [event(t)]);
      await expect(repo.save(set(t, 3, []), head?.etag ?? -1, [event(t)])).rejects.toBeInstanceOf(ConflictError);
      expect((await repo.head(t, FROM))?.set).toEqual(second);
    });

    it('serves what was put in effect to the delegate, newest version only, per tenant', async () => {
      const repo = await make();
      const t = tenantOf();
      const other = tenantOf();
      const v1 = set(t, 1, [delegation('01J0000000000000000000000B', 'erin')]);
      const v2 = set(t, 2, [delegation('01J0000000000000000000000B', 'erin', true), delegation('01J0000000000000000000000C', 'frank')]);
      await repo.save(v1, 0, [event(t)]);
      await repo.activate(v1);
      expect(await repo.received(t, 'erin')).toEqual(v1.delegations);
      await repo.activate(v2);
      // A redelivered older version never replaces a newer one.
      await repo.activate(v1);
      expect((await repo.received(t, 'erin'))[0]?.ended).toBeDefined();
      expect((await repo.received(t, 'frank')).map((d) => d.id)).toEqual(['01J0000000000000000000000C']);
      expect(await repo.received(other, 'erin')).toEqual([]);
    });
  });
}
