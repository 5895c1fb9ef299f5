import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, InvalidArgumentError } from '@assent/platform';
import { applyGrant } from '../src/domain/commands/apply-grant.js';
import { bulkAct } from '../src/domain/commands/bulk-act.js';
import { cancelRequest } from '../src/domain/commands/cancel-request.js';
import { createRequest, type CreateRequestInput } from '../src/domain/commands/create-request.js';
import { decideRequest } from '../src/domain/commands/decide-request.js';
import { fireTimers } from '../src/domain/commands/fire-timers.js';
import { putPolicy } from '../src/domain/commands/put-policy.js';
import { revokeGrant } from '../src/domain/commands/revoke-grant.js';
import { awaiting } from '../src/domain/schedule.js';
import type { PolicyInput } from '../src/domain/policy-rules.js';
import type { RequestEdits } from '../src/domain/request-parameters.js';
import { memoryDeps, payoutsPolicy, user, withQuorum } from './fixtures.js';

const admin = user('root', 'acme', ['admin']);
const HOUR = 3_600_000;
const refund: PolicyInput = {
  ...withQuorum(2),
  id: 'refund',
  action: 'refunds.issue',
  acknowledgements: [
    { id: 'checked-order', text: 'I checked the order and the payment' },
    { id: 'no-chargeback', text: 'There is no open chargeback' },
  ],
  grantDurationSeconds: 3600,
  maxGrantDurationSeconds: 4 * 3600,
  approverEditable: ['grant_duration_seconds', 'parameters.amount', 'effective_at'],
  parametersSchema: {
    type: 'object',
    properties: { amount: { type: 'number', exclusiveMinimum: 0, maximum: 10000 }, currency: { enum: ['EUR', 'USD'] } },
    required: ['amount', 'currency'],
    additionalProperties: false,
  },
};
const base = { tenant: 'acme', action: 'refunds.issue', resource: 'order/7', justification: 'damaged parcel', idempotencyKey: '' };

async function open(policy: PolicyInput = refund, input: Partial<CreateRequestInput> = {}) {
  const m = memoryDeps();
  await putPolicy(m.deps, admin, 'acme', policy);
  const r = await createRequest(m.deps, user('alice'), { ...base, parameters: { amount: 120, currency: 'EUR' }, ...input });
  if (r.alreadyAllowed) throw new Error('unexpected');
  const id = r.request.id;
  const approve = (who: string, acknowledged: string[] = ['checked-order', 'no-chargeback'], edits?: Partial<RequestEdits>) =>
    decideRequest(
      m.deps,
      user(who),
      { tenant: 'acme', id, comment: 'looks right', acknowledged, edits: edits && { grantDurationSeconds: undefined, effectiveAt: undefined, parameters: undefined, ...edits } },
      'APPROVE',
    );
  const state = async () => (await m.deps.requests.get('acme', id))!.request;
  const check = async () => (await m.authz.check('acme', 'alice', base.action, base.resource)).decision;
  return { ...m, id, request: r.request, approve, state, check };
}

describe('acknowledgement checklist', () => {
  it('refuses an approval until every item is ticked, naming what is missing, and records what was ticked', async () => {
    const m = await open();
    const refusal = await m.approve('bob', ['checked-order']).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(InvalidArgumentError);
    expect((refusal as InvalidArgumentError).message).toContain('"no-chargeback" (There is no open chargeback)');
    await expect(m.approve('bob', ['checked-order', 'no-chargeback', 'made-up'])).rejects.toThrow(/no acknowledgement "made-up"/);
    expect((await m.state()).votes).toEqual([]);
    const r = await m.approve('bob');
    expect(r.votes[0]?.acknowledged).toEqual(['checked-order', 'no-chargeback']);
  });

  it('asks nothing of a decline', async () => {
    const m = await open();
    const r = await decideRequest(m.deps, user('bob'), { tenant: 'acme', id: m.id, comment: 'duplicate refund' }, 'DECLINE');
    expect(r.state).toBe('DECLINED');
  });
});

describe('request parameters and grant length', () => {
  it('checks parameters against the policy schema at creation, naming each bad field, and opens nothing', async () => {
    const m = memoryDeps();
    await putPolicy(m.deps, admin, 'acme', refund);
    const bad = await createRequest(m.deps, user('alice'), { ...base, parameters: { amount: -5, currency: 'GBP', note: 'x' } }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidArgumentError);
    const fields = (bad as InvalidArgumentError).violations.map((v) => v.field);
    expect(fields).toEqual(expect.arrayContaining(['parameters', 'parameters.amount', 'parameters.currency']));
    expect((bad as InvalidArgumentError).message).toContain('"note"');
    expect((bad as InvalidArgumentError).message).toContain('allowed values: "EUR", "USD"');
    await expect(createRequest(m.deps, user('alice'), { ...base, parameters: {} })).rejects.toThrow(/amount/);
    expect(m.requests.emitted).toEqual([]);
  });

  it('refuses parameters where the policy takes none', async () => {
    const m = memoryDeps();
    await putPolicy(m.deps, admin, 'acme', payoutsPolicy);
    await expect(
      createRequest(m.deps, user('alice'), { ...base, action: payoutsPolicy.action, parameters: { amount: 1 } }),
    ).rejects.toThrow(/takes no parameters/);
  });

  it('grants the default length, or what was asked up to the cap', async () => {
    expect((await open()).request.grantDurationSeconds).toBe(3600);
    expect((await open(refund, { grantDurationSeconds: 7200 })).request.grantDurationSeconds).toBe(7200);
    await expect(open(refund, { grantDurationSeconds: 5 * 3600 })).rejects.toThrow(/grant_duration_seconds.*14400/);
  });
});

describe('approver edits', () => {
  it('lets an approver shorten the grant while approving, keeping earlier approvals, recorded as a diff', async () => {
    const m = await open(refund, { grantDurationSeconds: 4 * 3600 });
    await m.approve('bob');
    const r = await m.approve('carol', undefined, { grantDurationSeconds: 1800 });
    expect(r.state).toBe('APPROVED');
    expect(r.grantDurationSeconds).toBe(1800);
    expect(r.edits).toEqual([{ by: 'carol', at: expect.any(Date), submission: 1, reason: 'looks right', changes: [{ field: 'grant_duration_seconds', from: 14400, to: 1800 }] }]);
    expect(m.requests.emitted.map((e) => e.type)).toContain('assent.approval.edited.v1');
    await applyGrant(m.deps, 'acme', m.id);
    expect((await m.state()).grantExpiresAt).toEqual(new Date(r.decidedAt!.getTime() + 1800_000));
  });

  it('re-asks earlier approvers when an edit changes what is asked (a new submission)', async () => {
    const m = await open();
    await m.approve('bob');
    const r = await m.approve('carol', undefined, { parameters: { amount: 80 } });
    expect(r.state).toBe('PENDING');
    expect(r.parameters).toEqual({ amount: 80, currency: 'EUR' });
    expect(r.submission).toBe(2);
    expect(r.submissions.at(-1)).toMatchObject({ number: 2, editedBy: 'carol' });
    expect(r.edits[0]?.changes).toEqual([{ field: 'parameters.amount', from: 120, to: 80 }]);
    expect(awaiting(r)).toContain('user:bob');
    // bob approved 120, not 80: his approval no longer counts and he is asked again.
    const again = await m.approve('bob');
    expect(again.state).toBe('APPROVED');
    expect(again.votes.filter((v) => v.submission === 2).map((v) => v.approver)).toEqual(['carol', 'bob']);
  });

  it('refuses fields the policy does not make editable, and invalid values, changing nothing', async () => {
    const m = await open({ ...refund, approverEditable: ['parameters.amount'] });
    const before = await m.state();
    await expect(m.approve('bob', undefined, { grantDurationSeconds: 600 })).rejects.toThrow(/does not let approvers change grant_duration_seconds/);
    await expect(m.approve('bob', undefined, { parameters: { currency: 'USD' } })).rejects.toThrow(/parameters.currency/);
    const invalid = await m.approve('bob', undefined, { parameters: { amount: 20000 } }).catch((e: unknown) => e);
    expect((invalid as InvalidArgumentError).violations[0]?.field).toBe('parameters.amount');
    await expect(decideRequest(m.deps, user('bob'), { tenant: 'acme', id: m.id, comment: 'no', edits: { grantDurationSeconds: 60, effectiveAt: undefined, parameters: undefined } }, 'DECLINE')).rejects.toThrow(/made with an approval/);
    expect((await m.state()).version).toBe(before.version);
  });
});

describe('deferred start', () => {
  it('holds an approved request as DEFERRED, with its grant inert until the start, then APPROVED by the timer', async () => {
    const m = memoryDeps();
    await putPolicy(m.deps, admin, 'acme', withQuorum(1));
    const start = new Date(m.clock.t.getTime() + 2 * HOUR);
    const created = await createRequest(m.deps, user('alice'), { ...base, action: payoutsPolicy.action, effectiveAt: start });
    if (created.alreadyAllowed) throw new Error('unexpected');
    const id = created.request.id;
    const r = await decideRequest(m.deps, user('bob'), { tenant: 'acme', id, comment: 'ok for the weekend change' }, 'APPROVE');
    expect(r.state).toBe('DEFERRED');
    expect(r.grantStartsAt).toEqual(start);
    expect(r.wakeAt).toEqual(start);
    await applyGrant(m.deps, 'acme', id);
    const check = async () => (await m.authz.check('acme', 'alice', payoutsPolicy.action, base.resource)).decision;
    expect(await check()).toBe('NEEDS_APPROVAL');
    await expect(revokeGrant(m.deps, user('bob'), { tenant: 'acme', id, reason: 'x' })).rejects.toBeInstanceOf(FailedPreconditionError);
    m.clock.t = new Date(start.getTime() - 1000);
    expect((await fireTimers(m.deps, 'acme', id)).state).toBe('DEFERRED');
    m.clock.t = start;
    const effective = await fireTimers(m.deps, 'acme', id);
    expect(effective.state).toBe('APPROVED');
    expect(effective.grantExpiresAt).toEqual(new Date(start.getTime() + HOUR));
    expect(effective.wakeAt).toEqual(effective.grantExpiresAt);
    expect(m.requests.emitted.filter((e) => e.type === 'assent.approval.effective.v1')).toHaveLength(1);
    expect(await check()).toBe('ALLOW');
  });

  it('lets the requester cancel a deferred request, removing the grant before it starts', async () => {
    const m = memoryDeps();
    await putPolicy(m.deps, admin, 'acme', withQuorum(1));
    const created = await createRequest(m.deps, user('alice'), { ...base, action: payoutsPolicy.action, effectiveAt: new Date(m.clock.t.getTime() + HOUR) });
    if (created.alreadyAllowed) throw new Error('unexpected');
    await decideRequest(m.deps, user('bob'), { tenant: 'acme', id: created.request.id, comment: 'ok' }, 'APPROVE');
    await applyGrant(m.deps, 'acme', created.request.id);
    expect(m.authz.grants.size).toBe(1);
    const r = await cancelRequest(m.deps, user('alice'), { tenant: 'acme', id: created.request.id, reason: 'change moved' });
    expect(r).toMatchObject({ state: 'CANCELLED', wakeAt: undefined, grantClosed: { kind: 'revoked', by: 'alice' } });
    expect(m.authz.grants.size).toBe(0);
  });

  it('refuses a start in the past', async () => {
    const m = memoryDeps();
    await putPolicy(m.deps, admin, 'acme', withQuorum(1));
    await expect(createRequest(m.deps, user('alice'), { ...base, action: payoutsPolicy.action, effectiveAt: new Date(m.clock.t.getTime() - 1) })).rejects.toThrow(/effective_at/);
  });
});

describe('policy validation of the new fields', () => {
  it('names a bad schema, a bad editable field, a cap below the default and a bad acknowledgement', async () => {
    const m = memoryDeps();
    const bad = await putPolicy(m.deps, admin, 'acme', {
      ...refund,
      maxGrantDurationSeconds: 600,
      approverEditable: ['justification', 'parameters.amount'],
      acknowledgements: [{ id: 'Bad Id', text: '' }],
      parametersSchema: { type: 'object', properties: { amount: { type: 'nummber' } } },
    }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidArgumentError);
    expect((bad as InvalidArgumentError).violations.map((v) => v.field)).toEqual(
      expect.arrayContaining([
        'policy.max_grant_duration_seconds',
        'policy.approver_editable[0]',
        'policy.acknowledgements[0].id',
        'policy.acknowledgements[0].text',
        'policy.parameters_schema',
      ]),
    );
  });
});

describe('bulk approval with a checklist', () => {
  it('ticks the given acknowledgements on every item; an item that needs more fails alone', async () => {
    const m = await open();
    const other = await createRequest(m.deps, user('alice'), { ...base, resource: 'order/2', parameters: { amount: 20, currency: 'EUR' } });
    if (other.alreadyAllowed) throw new Error('unexpected');
    const results = await bulkAct(m.deps, user('bob'), {
      tenant: 'acme',
      ids: [m.id, other.request.id],
      action: { kind: 'APPROVE', reason: 'batch', acknowledged: ['checked-order', 'no-chargeback', 'another-policys-item'] },
    });
    expect(results.map((r) => r.error)).toEqual([undefined, undefined]);
    expect(results[0]?.request?.votes[0]?.acknowledged).toEqual(['checked-order', 'no-chargeback']);
    const partial = await bulkAct(m.deps, user('carol'), { tenant: 'acme', ids: [m.id], action: { kind: 'APPROVE', reason: 'batch', acknowledged: ['checked-order'] } });
    expect(partial[0]?.error).toMatchObject({ kind: 'invalid_argument', message: expect.stringContaining('no-chargeback') });
    expect((await m.state()).votes).toHaveLength(1);
  });
});

describe('step-up to approve', () => {
  it('refuses an approval without a step-up session where the policy needs one, audited, and takes it with one', async () => {
    const m = await open({ ...refund, requireStepUpToApprove: true });
    const refused = await m.approve('bob').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FailedPreconditionError);
    expect((refused as FailedPreconditionError).message).toMatch(/needs a step-up session \(a sign-in within the last 300 s with acr mfa\)/);
    expect(m.events.events.at(-1)).toMatchObject({ type: 'assent.approval.vote_refused.v1', data: { code: 'STEP_UP_REQUIRED', principal: 'bob' } });
    expect((await m.state()).votes).toEqual([]);
    m.authz.steppedUp.add('acme|bob');
    expect((await m.approve('bob')).votes).toHaveLength(1);
  });
});
