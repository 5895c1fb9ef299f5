import { describe, expect, it } from 'vitest';
import { ConflictError, newEvent } from '@assent/platform';
import type { PolicyRepository } from '../../src/domain/ports.js';
import { policyHash } from '../../src/domain/policy-rules.js';
import type { PolicyRecord } from '../../src/domain/types.js';
import { payoutsPolicy, withQuorum } from '../fixtures.js';

const record = (version: number, quorum = 1): PolicyRecord => {
  // A protection tier with requirements of its own, so every field round-trips.
  const input = { ...withQuorum(quorum), tiers: [{ name: 'large', when: 'context.amount > 10000', requirements: [{ name: 'finance', approvers: ['group:finance#member'], quorum: 1 }] }] };
  return { policy: { ...input, hash: policyHash(input) }, version, appliedBy: 'root', appliedAt: new Date(`2030-01-0${version}T00:00:00.000Z`) };
};
const event = (tenant: string) => newEvent({ type: 'assent.policy.updated.v1', service: 'approvals', subject: 'policy/p', tenant, data: {} });

/**
 * One contract for every PolicyRepository: the JetStream store with its read model
 * and the in-memory twin. `activateOnSave` is false for stores whose reaction runs
 * elsewhere (the JetStream relay), so the test activates versions itself.
 */
export function policyRepositoryContract(name: string, make: () => Promise<PolicyRepository>, tenantOf: () => string): void {
  describe(`PolicyRepository contract: ${name}`, () => {
    it('stores versions with compare-and-set and returns the latest with every field', async () => {
      const repo = await make();
      const t = tenantOf();
      expect(await repo.head(t, payoutsPolicy.action)).toBeUndefined();
      await repo.save(t, record(1), 0, [event(t)]);
      await expect(repo.save(t, record(1, 2), 0, [event(t)])).rejects.toBeInstanceOf(ConflictError);
      const head = await repo.head(t, payoutsPolicy.action);
      expect(head?.record).toEqual(record(1));
      await repo.save(t, record(2, 2), head?.etag ?? -1, [event(t)]);
      await expect(repo.save(t, record(2, 3), head?.etag ?? -1, [event(t)])).rejects.toBeInstanceOf(ConflictError);
      expect((await repo.head(t, payoutsPolicy.action))?.record.version).toBe(2);
      expect(await repo.head(`${t}-x`, payoutsPolicy.action)).toBeUndefined();
    });

    it('serves the version in effect, never going back to an older one', async () => {
      const repo = await make();
      const t = tenantOf();
      await repo.activate(t, record(2, 2));
      expect(await repo.waitActive(t, payoutsPolicy.action, 2, 2_000)).toBe(true);
      expect((await repo.get(t, payoutsPolicy.action))?.requirements[0]?.quorum).toBe(2);
      await repo.activate(t, record(1));
      expect((await repo.get(t, payoutsPolicy.action))?.requirements[0]?.quorum).toBe(2);
      expect(await repo.waitActive(t, payoutsPolicy.action, 3, 200)).toBe(false);
      const later = repo.waitActive(t, payoutsPolicy.action, 3, 2_000);
      await repo.activate(t, record(3, 3));
      expect(await later).toBe(true);
      expect(await repo.get(`${t}-x`, payoutsPolicy.action)).toBeUndefined();
    });
  });
}
