// Protection tiers in a policy: validation, registration with authz, the hash, the
// proto mapping, and how versions stored before tiers existed read back.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@assent/platform';
import { eventsv1 } from '@assent/proto';
import { recordFromJson, type PolicyRecordJson } from '../src/adapters/jetstream/policy-repository.js';
import { fromJson, toJson } from '../src/adapters/jetstream/request-json.js';
import { putPolicy } from '../src/domain/commands/put-policy.js';
import { newRequest } from '../src/domain/new-request.js';
import { policyHash } from '../src/domain/policy-rules.js';
import type { ProtectionTier } from '../src/domain/types.js';
import { fromProtoPolicy, toProtoPolicy } from '../src/transport/grpc/mapping.js';
import { financeAndRisk, memoryDeps, payoutsPolicy, tieredPolicy, user } from './fixtures.js';

const admin = user('root', 'acme', ['admin']);

const tiered = tieredPolicy;

/** The violations a policy apply is refused with (and that nothing was stored). */
async function refusal(tiers: ProtectionTier[]): Promise<{ field: string; description: string }[]> {
  const m = memoryDeps();
  const err = await putPolicy(m.deps, admin, 'acme', { ...tiered, tiers }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(InvalidArgumentError);
  expect(await m.deps.policies.head('acme', tiered.action)).toBeUndefined();
  expect(m.authz.actions.size).toBe(0);
  return (err as InvalidArgumentError).violations;
}

describe('policy tiers: validation', () => {
  it('refuses a condition that does not compile, naming the tier field, and stores nothing', async () => {
    expect(await refusal([{ name: 'large', when: 'context.amount >', requirements: [] }])).toEqual([
      { field: 'policy.tiers[0].when', description: expect.stringMatching(/^does not compile: /) },
    ]);
    expect(await refusal([{ name: 'large', when: '1 + 2', requirements: [] }])).toEqual([{ field: 'policy.tiers[0].when', description: 'must be a bool expression; it is int' }]);
  });

  it('refuses a condition over the cost limit and a regular expression', async () => {
    const violations = await refusal([
      { name: 'nested', when: 'context.xs.all(x, context.xs.all(y, x < y))', requirements: [] },
      { name: 'regex', when: 'context.note.matches("a+")', requirements: [] },
    ]);
    expect(violations).toEqual([
      { field: 'policy.tiers[0].when', description: expect.stringMatching(/^exceeds the cost limit: estimated \d+, at most 100000/) },
      { field: 'policy.tiers[1].when', description: expect.stringMatching(/^matches\(\): regular expressions are not allowed/) },
    ]);
  });

  it('refuses duplicate and malformed tier names and more than 16 tiers', async () => {
    expect(
      await refusal([
        { name: 'large', when: 'context.amount > 10000', requirements: [] },
        { name: 'large', when: 'context.amount > 1000', requirements: [] },
        { name: 'Small', when: 'context.amount > 10', requirements: [] },
      ]),
    ).toEqual([
      { field: 'policy.tiers[1].name', description: '"large" is used twice' },
      { field: 'policy.tiers[2].name', description: 'must be 1-63 lowercase letters, digits or "-", starting with a letter' },
    ]);
    const many = Array.from({ length: 17 }, (_, i) => ({ name: `t${i}`, when: `context.amount > ${1000 - i}`, requirements: [] }));
    expect(await refusal(many)).toEqual([{ field: 'policy.tiers', description: 'at most 16 conditions' }]);
  });

  it("checks each tier's requirements as the policy's", async () => {
    const violations = await refusal([
      {
        name: 'large',
        when: 'context.amount > 10000',
        requirements: [
          { name: 'finance', approvers: ['bob'], quorum: 1 },
          { name: 'finance', approvers: ['user:bob', 'user:carol'], quorum: 3 },
          { name: 'risk', approvers: [], quorum: 1 },
        ],
      },
    ]);
    expect(violations).toEqual([
      { field: 'policy.tiers[0].requirements[0].approvers[0]', description: 'must be "user:<id>" or "group:<id>#member"' },
      { field: 'policy.tiers[0].requirements[1].name', description: '"finance" is used by another requirement' },
      { field: 'policy.tiers[0].requirements[1].quorum', description: 'cannot exceed the 2 listed approvers' },
      { field: 'policy.tiers[0].requirements[2].approvers', description: 'at least one approver is required' },
    ]);
  });
});

describe('policy tiers: apply', () => {
  it('registers the tiers as the action\'s protection conditions, in order, with every tier\'s approvers', async () => {
    const m = memoryDeps();
    const policy = await putPolicy(m.deps, admin, 'acme', tiered);
    expect(m.authz.actions.get('acme|payouts.change_details')).toEqual({
      policy: { id: tiered.id, hash: policy.hash },
      approvers: ['user:bob', 'user:carol', 'user:dave', 'group:finance#member', 'group:risk#member'],
      conditions: [
        { name: 'large', when: 'context.amount > 10000' },
        { name: 'medium', when: 'context.amount > 1000' },
      ],
    });
    expect(eventsv1.PolicyUpdated.fromJSON(m.policies.emitted[0]?.data).policy?.tiers).toEqual([
      { name: 'large', when: 'context.amount > 10000', requirements: financeAndRisk },
      { name: 'medium', when: 'context.amount > 1000', requirements: [] },
    ]);
  });

  it('puts the tiers in the hash; a policy without tiers keeps the hash it had', () => {
    const { tiers: _, ...before } = payoutsPolicy;
    expect(policyHash(payoutsPolicy)).toBe(policyHash({ ...before, tiers: [] }));
    expect(policyHash(tiered)).not.toBe(policyHash({ ...tiered, tiers: [] }));
    const reordered = { ...tiered, tiers: [...tiered.tiers].reverse() };
    expect(policyHash(reordered)).not.toBe(policyHash(tiered));
  });

  it('maps tiers between proto and domain (a tier requirement without quorum needs 1)', () => {
    // As a client sends it: requirements, not the approvers summary an answer also carries.
    const proto = { ...toProtoPolicy({ ...tiered, hash: policyHash(tiered) }), approvers: [], quorum: 0 };
    expect(proto.tiers[0]).toEqual({ name: 'large', when: 'context.amount > 10000', requirements: financeAndRisk });
    expect(fromProtoPolicy(proto)?.tiers).toEqual(tiered.tiers);
    proto.tiers[0]!.requirements[0]!.quorum = 0;
    expect(fromProtoPolicy(proto)?.tiers[0]?.requirements[0]?.quorum).toBe(1);
  });
});

describe('policy tiers: stored before tiers existed', () => {
  it('reads a policy version without tiers as having none', () => {
    const { tiers: _, ...old } = { ...payoutsPolicy, hash: policyHash(payoutsPolicy) };
    const json = { policy: old, version: 3, appliedBy: 'root', appliedAt: '2026-01-01T00:00:00.000Z' } as unknown as PolicyRecordJson;
    expect(recordFromJson(json).policy.tiers).toEqual([]);
  });

  it('reads a request without a tier as having none', () => {
    const policy = { ...tiered, hash: policyHash(tiered) };
    const r = newRequest(
      policy,
      { id: 'r1', tenant: 'acme', action: policy.action, resource: 'acct/1', requester: 'alice', justification: 'x', parameters: { amount: 5000 }, grantDurationSeconds: 0, effectiveAt: undefined, previousRequestId: '', attempt: 1, tier: policy.tiers[1] },
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(fromJson(toJson(r))).toEqual(r);
    const { tier: _t, tierConditions: _c, ...old } = toJson(r);
    expect(fromJson(old)).toMatchObject({ tier: '', tierConditions: [] });
  });
});
