import { describe, expect, it, vi } from 'vitest';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError, UnavailableError } from '@assent/platform';
import { approvalsv1, eventsv1 } from '@assent/proto';
import { applyGrant } from '../src/domain/commands/apply-grant.js';
import { createRequest } from '../src/domain/commands/create-request.js';
import { decideRequest } from '../src/domain/commands/decide-request.js';
import { listRequests } from '../src/domain/commands/list-requests.js';
import { ACTIVATION_TIMEOUT_MS, putPolicy } from '../src/domain/commands/put-policy.js';
import { policyHash } from '../src/domain/policy-rules.js';
import { memoryDeps, payoutsPolicy, service, user, withQuorum } from './fixtures.js';

const admin = user('root', 'acme', ['admin']);
const create = { tenant: 'acme', action: 'payouts.change_details', resource: 'payout-account/42', justification: 'vendor changed bank', idempotencyKey: '' };

async function setup(policy = payoutsPolicy) {
  const m = memoryDeps();
  await putPolicy(m.deps, admin, 'acme', policy);
  return m;
}

describe('putPolicy', () => {
  it('stores the policy with a stable hash and registers the action with authz', async () => {
    const m = await setup();
    const stored = await m.deps.policies.get('acme', 'payouts.change_details');
    expect(stored?.hash).toBe(policyHash(payoutsPolicy));
    expect(stored?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(m.authz.actions.get('acme|payouts.change_details')?.policy.hash).toBe(stored?.hash);
    expect(m.policies.emitted.map((e) => e.type)).toEqual(['assent.policy.updated.v1']);
    expect(eventsv1.PolicyUpdated.fromJSON(m.policies.emitted[0]?.data)).toMatchObject({ tenant: 'acme', appliedBy: 'root', version: '1', previousHash: '', policy: { id: payoutsPolicy.id, hash: stored?.hash } });
    expect(policyHash(withQuorum(2))).not.toBe(stored?.hash);
  });

  it('records every apply with its actor: a change, an unchanged re-apply and a restore are three versions and three events', async () => {
    const m = await setup();
    const first = (await m.deps.policies.get('acme', payoutsPolicy.action))?.hash;
    await putPolicy(m.deps, user('dana', 'acme', ['admin']), 'acme', withQuorum(2));
    await putPolicy(m.deps, user('dana', 'acme', ['admin']), 'acme', withQuorum(2));
    await putPolicy(m.deps, admin, 'acme', payoutsPolicy);
    const updates = m.policies.emitted.map((e) => eventsv1.PolicyUpdated.fromJSON(e.data));
    expect(updates.map((u) => [u.version, u.appliedBy, u.policy?.hash === first, u.previousHash === first])).toEqual([
      ['1', 'root', true, false],
      ['2', 'dana', false, true],
      ['3', 'dana', false, false],
      ['4', 'root', true, false],
    ]);
    expect(new Set(m.policies.emitted.map((e) => e.id)).size).toBe(4);
    expect((await m.deps.policies.get('acme', payoutsPolicy.action))?.hash).toBe(first);
  });

  it('refuses a second policy id for an action that has one', async () => {
    const m = await setup();
    await expect(putPolicy(m.deps, admin, 'acme', { ...payoutsPolicy, id: 'another' })).rejects.toThrow(/governed by policy payout-details-change/);
  });

  it('answers UNAVAILABLE when the new version cannot take effect, keeps it stored, and a retry applies it', async () => {
    const m = await setup();
    const register = m.authz.registerProtectedAction.bind(m.authz);
    m.authz.registerProtectedAction = () => Promise.reject(new Error('authz down'));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const applying = putPolicy(m.deps, admin, 'acme', withQuorum(2));
      const refused = expect(applying).rejects.toBeInstanceOf(UnavailableError);
      await vi.advanceTimersByTimeAsync(ACTIVATION_TIMEOUT_MS);
      await refused;
    } finally {
      vi.useRealTimers();
    }
    expect((await m.deps.policies.head('acme', payoutsPolicy.action))?.record.version).toBe(2);
    expect((await m.deps.policies.get('acme', payoutsPolicy.action))?.requirements[0]?.quorum).toBe(1);
    m.authz.registerProtectedAction = register;
    await putPolicy(m.deps, admin, 'acme', withQuorum(2));
    expect((await m.deps.policies.get('acme', payoutsPolicy.action))?.requirements[0]?.quorum).toBe(2);
  });

  it('rejects an invalid policy naming every bad field, and stores nothing', async () => {
    const m = memoryDeps();
    const err = await putPolicy(m.deps, admin, 'acme', { ...withQuorum(5, ['bob']), id: 'Bad Id', grantDurationSeconds: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).violations.map((v) => v.field).sort()).toEqual([
      'policy.approvers[0]',
      'policy.grant_duration_seconds',
      'policy.id',
      'policy.quorum',
    ]);
    expect(await m.deps.policies.get('acme', 'payouts.change_details')).toBeUndefined();
  });

  it('needs the admin role in the tenant', async () => {
    const m = memoryDeps();
    await expect(putPolicy(m.deps, user('alice'), 'acme', payoutsPolicy)).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(putPolicy(m.deps, user('root', 'globex', ['admin']), 'acme', payoutsPolicy)).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});

describe('createRequest', () => {
  it('opens a pending request under the policy and emits requested with proto-valid data', async () => {
    const m = await setup();
    const r = await createRequest(m.deps, user('alice'), create);
    expect(r.alreadyAllowed).toBe(false);
    if (r.alreadyAllowed) return;
    expect(r.request).toMatchObject({ state: 'PENDING', requester: 'alice', policyId: 'payout-details-change', requirements: payoutsPolicy.requirements, version: 1 });
    expect(m.requests.emitted.map((e) => e.type)).toEqual(['assent.approval.requested.v1']);
    const parsed = eventsv1.ApprovalRequested.fromJSON(m.requests.emitted[0]?.data);
    expect(parsed.slackChannel).toBe('C0PAYOUTS');
    expect(parsed.request).toMatchObject({ id: r.request.id, requester: 'alice', state: approvalsv1.RequestState.REQUEST_STATE_PENDING, quorum: 1, revision: '1', approvers: ['user:bob', 'user:carol', 'user:dave'] });
    expect(parsed.request?.createdAt).toEqual(r.request.createdAt);
    expect(m.requests.emitted[0]).toMatchObject({ subject: `request/${r.request.id}`, tenantid: 'acme', source: '/assent/approvals' });
  });

  it('refuses non-members with the authz reason, unregistered actions naming `action`, missing justification', async () => {
    const m = await setup();
    await expect(createRequest(m.deps, user('mallory'), create)).rejects.toThrow(/not a member/);
    await expect(createRequest(m.deps, user('alice'), { ...create, action: 'keys.rotate' })).rejects.toMatchObject({ kind: 'invalid_argument', violations: [{ field: 'action' }] });
    await expect(createRequest(m.deps, user('alice'), { ...create, justification: '  ' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(createRequest(m.deps, user('alice', 'globex'), create)).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(m.requests.emitted).toHaveLength(0);
  });

  it('returns the same request for a repeated idempotency key', async () => {
    const m = await setup();
    const a = await createRequest(m.deps, user('alice'), { ...create, idempotencyKey: 'k-1' });
    const b = await createRequest(m.deps, user('alice'), { ...create, idempotencyKey: 'k-1' });
    expect(a.alreadyAllowed || b.alreadyAllowed).toBe(false);
    if (a.alreadyAllowed || b.alreadyAllowed) return;
    expect(b.request.id).toBe(a.request.id);
    expect(m.requests.emitted).toHaveLength(1);
  });
});

describe('decideRequest', () => {
  async function pending(policy = payoutsPolicy) {
    const m = await setup(policy);
    const r = await createRequest(m.deps, user('alice'), create);
    if (r.alreadyAllowed) throw new Error('unexpected');
    return { ...m, id: r.request.id };
  }
  const decide = (m: Awaited<ReturnType<typeof pending>>, who: string, outcome: 'APPROVE' | 'DECLINE') =>
    decideRequest(m.deps, user(who), { tenant: 'acme', id: m.id, comment: 'ok' }, outcome);

  it('approves with quorum 1 and emits exactly one decided event', async () => {
    const m = await pending();
    const r = await decide(m, 'bob', 'APPROVE');
    expect(r.state).toBe('APPROVED');
    expect(r.decidedAt).toEqual(m.clock.now());
    expect(m.requests.emitted.map((e) => e.type)).toEqual(['assent.approval.requested.v1', 'assent.approval.decided.v1']);
    const decided = eventsv1.ApprovalDecided.fromJSON(m.requests.emitted[1]?.data);
    expect(decided.decidedBy).toBe('bob');
    await expect(decide(m, 'carol', 'APPROVE')).rejects.toBeInstanceOf(FailedPreconditionError);
  });

  it('waits for quorum 2, refuses double votes, and a decline decides', async () => {
    const m = await pending(withQuorum(2));
    expect((await decide(m, 'bob', 'APPROVE')).state).toBe('PENDING');
    await expect(decide(m, 'bob', 'APPROVE')).rejects.toThrow(/already acted/);
    expect((await decide(m, 'carol', 'APPROVE')).state).toBe('APPROVED');

    const d = await pending(withQuorum(2));
    expect((await decide(d, 'bob', 'DECLINE')).state).toBe('DECLINED');
  });

  it('refuses self-approval, non-approvers, services and other tenants, changing nothing', async () => {
    const m = await pending(withQuorum(1, ['user:alice', 'user:bob']));
    await expect(decide(m, 'alice', 'APPROVE')).rejects.toThrow(/own request/);
    await expect(decide(m, 'mallory', 'APPROVE')).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(decideRequest(m.deps, service(), { tenant: 'acme', id: m.id, comment: 'looks right' }, 'APPROVE')).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(decideRequest(m.deps, user('bob', 'globex'), { tenant: 'acme', id: m.id, comment: 'looks right' }, 'APPROVE')).rejects.toBeInstanceOf(PermissionDeniedError);
    expect((await m.deps.requests.get('acme', m.id))?.request.state).toBe('PENDING');
    expect(m.requests.emitted).toHaveLength(1);
    // Each refusal of a person is published for audit, with its reason (the service's is not a vote).
    const refused = m.events.events.filter((e) => e.type === 'assent.approval.vote_refused.v1').map((e) => eventsv1.ApprovalVoteRefused.fromJSON(e.data));
    expect(refused.map((r) => [r.principal, r.code])).toEqual([
      ['alice', 'SELF_APPROVAL'],
      ['mallory', 'NOT_ELIGIBLE'],
      ['bob', 'WRONG_TENANT'],
    ]);
    expect(refused.every((r) => r.requestId === m.id && r.tenant === 'acme')).toBe(true);
  });

  it('lets exactly one of two concurrent deciding votes win', async () => {
    const m = await pending();
    const results = await Promise.allSettled([decide(m, 'bob', 'APPROVE'), decide(m, 'carol', 'DECLINE')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(m.requests.emitted.filter((e) => e.type === 'assent.approval.decided.v1')).toHaveLength(1);
  });
});

describe('applyGrant', () => {
  it('writes the grant once for an approved request and records its expiry', async () => {
    const m = await setup();
    const r = await createRequest(m.deps, user('alice'), create);
    if (r.alreadyAllowed) throw new Error('unexpected');
    await decideRequest(m.deps, user('bob'), { tenant: 'acme', id: r.request.id, comment: 'looks right' }, 'APPROVE');
    await applyGrant(m.deps, 'acme', r.request.id);
    await applyGrant(m.deps, 'acme', r.request.id);
    const stored = await m.deps.requests.get('acme', r.request.id);
    expect(stored?.request.grantExpiresAt).toBeInstanceOf(Date);
    expect((await m.authz.check('acme', 'alice', create.action, create.resource)).decision).toBe('ALLOW');
    expect((await createRequest(m.deps, user('alice'), create)).alreadyAllowed).toBe(true);
  });
});

describe('listRequests', () => {
  it('pages newest first and filters by state', async () => {
    const m = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await createRequest(m.deps, user('alice'), { ...create, resource: `payout-account/${i}` });
      if (!r.alreadyAllowed) ids.push(r.request.id);
    }
    await decideRequest(m.deps, user('bob'), { tenant: 'acme', id: ids[0] as string, comment: 'looks right' }, 'APPROVE');
    const p1 = await listRequests(m.deps, user('alice'), { tenant: 'acme', state: undefined, pageSize: 2, pageToken: '' });
    expect(p1.requests.map((r) => r.id)).toEqual([ids[4], ids[3]]);
    const p2 = await listRequests(m.deps, user('alice'), { tenant: 'acme', state: undefined, pageSize: 2, pageToken: p1.nextPageToken });
    expect(p2.requests.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    const approved = await listRequests(m.deps, user('alice'), { tenant: 'acme', state: 'APPROVED', pageSize: 10, pageToken: '' });
    expect(approved.requests.map((r) => r.id)).toEqual([ids[0]]);
    await expect(listRequests(m.deps, user('alice'), { tenant: 'acme', state: undefined, pageSize: 1000, pageToken: '' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('answers NOT_FOUND for a tenant that does not exist, not an empty page', async () => {
    const m = await setup();
    const ghost = { subject: 'alice', kind: 'user' as const, tenant: 'ghost', roles: [] };
    await expect(listRequests(m.deps, ghost, { tenant: 'ghost', state: undefined, pageSize: 0, pageToken: '' })).rejects.toBeInstanceOf(NotFoundError);
    expect((await listRequests(m.deps, { ...ghost, tenant: 'globex' }, { tenant: 'globex', state: undefined, pageSize: 0, pageToken: '' })).requests).toEqual([]);
  });
});
