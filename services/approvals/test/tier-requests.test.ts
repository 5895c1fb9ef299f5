// Requests under a policy with protection tiers, against the authz twin: which tier
// a request opens in, the grant it gets, and approver edits that would change tiers.
import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, InvalidArgumentError } from '@assent/platform';
import { eventsv1 } from '@assent/proto';
import { applyGrant } from '../src/domain/commands/apply-grant.js';
import { createRequest } from '../src/domain/commands/create-request.js';
import { decideRequest } from '../src/domain/commands/decide-request.js';
import { extendGrant } from '../src/domain/commands/extend-grant.js';
import { fireTimers } from '../src/domain/commands/fire-timers.js';
import { putPolicy } from '../src/domain/commands/put-policy.js';
import { revokeGrant } from '../src/domain/commands/revoke-grant.js';
import type { RequestEdits } from '../src/domain/request-parameters.js';
import { financeAndRisk, memoryDeps, payoutsPolicy, tieredPolicy, user } from './fixtures.js';

const admin = user('root', 'acme', ['admin']);
const base = { tenant: 'acme', action: tieredPolicy.action, resource: 'payout-account/42', justification: 'vendor invoice', idempotencyKey: '' };

async function setup() {
  const m = memoryDeps();
  for (const u of ['erin', 'frank']) m.authz.members.add(`acme|${u}`);
  m.authz.addGroupMember('acme', 'finance', 'erin');
  m.authz.addGroupMember('acme', 'risk', 'frank');
  await putPolicy(m.deps, admin, 'acme', { ...tieredPolicy, maxGrantDurationSeconds: 7200 });
  const open = async (amount: number) => {
    const r = await createRequest(m.deps, user('alice'), { ...base, parameters: { amount } });
    if (r.alreadyAllowed) throw new Error(`amount ${amount} needed no approval: ${r.reason}`);
    return r.request;
  };
  const approve = (who: string, id: string, parameters?: Record<string, unknown>) => {
    const edits: RequestEdits | undefined = parameters && { grantDurationSeconds: undefined, effectiveAt: undefined, parameters };
    return decideRequest(m.deps, user(who), { tenant: 'acme', id, comment: 'checked', edits }, 'APPROVE');
  };
  const check = async (amount: number) => (await m.authz.check('acme', 'alice', base.action, base.resource, { amount })).decision;
  return { ...m, open, approve, check };
}

describe('tier choice at creation', () => {
  it('below every threshold: already allowed, nothing opened', async () => {
    const m = await setup();
    const r = await createRequest(m.deps, user('alice'), { ...base, parameters: { amount: 500 } });
    expect(r).toEqual({ alreadyAllowed: true, reason: expect.stringMatching(/no protection condition/) });
    expect((await m.deps.requests.list('acme', { state: undefined, limit: 10, after: undefined })).requests).toEqual([]);
  });

  it("medium: pins tier medium with the policy's requirements", async () => {
    const m = await setup();
    const r = await m.open(5000);
    expect(r).toMatchObject({ tier: 'medium', requirements: payoutsPolicy.requirements });
    expect(r.tierConditions.map((c) => c.name)).toEqual(['large', 'medium']);
    const requested = m.requests.emitted.find((e) => e.type === 'assent.approval.requested.v1');
    expect(eventsv1.ApprovalRequested.fromJSON(requested?.data).request).toMatchObject({ tier: 'medium', approvers: ['user:bob', 'user:carol', 'user:dave'] });
  });

  it('large: pins tier large with its own two requirements, one from finance AND one from risk', async () => {
    const m = await setup();
    const r = await m.open(50000);
    expect(r).toMatchObject({ tier: 'large', requirements: financeAndRisk });
    await expect(m.approve('bob', r.id)).rejects.toThrow(/not among the approvers/);
    expect((await m.approve('erin', r.id)).state).toBe('PENDING');
    expect((await m.approve('frank', r.id)).state).toBe('APPROVED');
  });

  it('a context the conditions cannot decide is refused on field parameters, with authz\'s description', async () => {
    const m = await setup();
    const err = await createRequest(m.deps, user('alice'), { ...base, parameters: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).violations).toEqual([
      { field: 'parameters', description: 'condition "large" (context.amount > 10000) cannot be decided: No such key: amount' },
    ]);
  });

  it('a tier authz matched that the policy no longer has: FAILED_PRECONDITION, retry, nothing opened', async () => {
    const m = await setup();
    const check = m.authz.check.bind(m.authz);
    m.authz.check = async (...args) => ({ ...(await check(...args)), matchedCondition: { name: 'huge', when: 'context.amount > 1000000' } });
    const err = await createRequest(m.deps, user('alice'), { ...base, parameters: { amount: 5000 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailedPreconditionError);
    expect(err).toMatchObject({ reason: 'POLICY_CHANGED', message: expect.stringMatching(/condition "huge" .* no longer has as a tier: .*; retry$/) });
    m.authz.check = async (...args) => ({ ...(await check(...args)), matchedCondition: undefined });
    await expect(createRequest(m.deps, user('alice'), { ...base, parameters: { amount: 5000 } })).rejects.toThrow(/now has tiers \(large, medium\).*; retry$/);
    expect(m.requests.emitted).toEqual([]);
  });
});

describe('grants under a tier', () => {
  it('are written and removed with the tier as their condition, and cover that tier and the laxer ones only', async () => {
    const m = await setup();
    const r = await m.open(5000);
    await m.approve('bob', r.id);
    await applyGrant(m.deps, 'acme', r.id);
    expect(m.authz.written.map((g) => g.condition)).toEqual(['medium']);
    expect([await m.check(500), await m.check(5000), await m.check(50000)]).toEqual(['ALLOW', 'ALLOW', 'NEEDS_APPROVAL']);

    await extendGrant(m.deps, user('alice'), { tenant: 'acme', id: r.id, extendBySeconds: 600, reason: 'longer call' });
    expect(m.authz.written.map((g) => g.condition)).toEqual(['medium', 'medium']);

    await revokeGrant(m.deps, user('alice'), { tenant: 'acme', id: r.id, reason: 'done early' });
    expect(m.authz.removed.map((g) => [g.why, g.condition])).toEqual([['revoked', 'medium']]);
    expect(await m.check(5000)).toBe('NEEDS_APPROVAL');
  });

  it('a grant of the large tier also covers medium; it ends with its condition', async () => {
    const m = await setup();
    const r = await m.open(50000);
    await m.approve('erin', r.id);
    await m.approve('frank', r.id);
    await applyGrant(m.deps, 'acme', r.id);
    expect([await m.check(5000), await m.check(50000)]).toEqual(['ALLOW', 'ALLOW']);
    m.clock.t = new Date(m.clock.t.getTime() + 3600_000);
    await fireTimers(m.deps, 'acme', r.id);
    expect(m.authz.removed.map((g) => [g.why, g.condition])).toEqual([['ended', 'large']]);
  });
});

describe('approver edits of a tiered request', () => {
  it('refuses an edit that moves the request to another tier, or below every threshold', async () => {
    const m = await setup();
    const r = await m.open(5000);
    const up = await m.approve('bob', r.id, { amount: 50000 }).catch((e: unknown) => e);
    expect(up).toBeInstanceOf(FailedPreconditionError);
    expect(up).toMatchObject({
      reason: 'TIER_CHANGE',
      message: `the edit would move request ${r.id} from tier "medium" to tier "large"; approvers may not change which approvals a request needs: the requester must open a new request`,
    });
    await expect(m.approve('bob', r.id, { amount: 500 })).rejects.toThrow(`from tier "medium" to below every tier (no approval needed); approvers may not change which approvals a request needs: the requester must open a new request`);
    await expect(m.approve('bob', r.id, { amount: null })).rejects.toThrow(/edits.parameters: condition "large" .* cannot be decided/);
    expect((await m.deps.requests.get('acme', r.id))?.request).toMatchObject({ votes: [], parameters: { amount: 5000 }, tier: 'medium' });
  });

  it('lets an edit that stays in the tier through', async () => {
    const m = await setup();
    const r = await m.open(5000);
    const approved = await m.approve('bob', r.id, { amount: 2000 });
    expect(approved).toMatchObject({ state: 'APPROVED', tier: 'medium', parameters: { amount: 2000 } });
  });
});
