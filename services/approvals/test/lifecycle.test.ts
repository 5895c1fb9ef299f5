import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@assent/platform';
import { eventsv1 } from '@assent/proto';
import { breakGlass, reviewBreakGlass } from '../src/domain/commands/break-glass.js';
import { applyGrant } from '../src/domain/commands/apply-grant.js';
import { cancelRequest } from '../src/domain/commands/cancel-request.js';
import { revokeGrant } from '../src/domain/commands/revoke-grant.js';
import { listInbox } from '../src/domain/commands/list-inbox.js';
import { commentRequest } from '../src/domain/commands/comment-request.js';
import { createRequest } from '../src/domain/commands/create-request.js';
import { decideRequest } from '../src/domain/commands/decide-request.js';
import { fireTimers } from '../src/domain/commands/fire-timers.js';
import { putPolicy } from '../src/domain/commands/put-policy.js';
import { resubmitRequest } from '../src/domain/commands/resubmit-request.js';
import { simulateRequest } from '../src/domain/commands/simulate-request.js';
import { emptySchedule, type PolicyInput } from '../src/domain/policy-rules.js';
import type { Schedule } from '../src/domain/types.js';
import { memoryDeps, payoutsPolicy, user } from './fixtures.js';

const admin = user('root', 'acme', ['admin']);
const create = { tenant: 'acme', action: 'payouts.change_details', resource: 'payout-account/42', justification: 'vendor changed bank', idempotencyKey: '' };
const MIN = 60_000;

/** Two groups ANDed: one of finance-leads AND one of security. */
const twoGroups: PolicyInput = {
  ...payoutsPolicy,
  requirements: [
    { name: 'finance', approvers: ['group:finance-leads#member'], quorum: 1 },
    { name: 'security', approvers: ['group:security#member'], quorum: 1 },
  ],
};

async function open(policy: PolicyInput = payoutsPolicy) {
  const m = memoryDeps();
  for (const u of ['erin', 'frank', 'grace', 'heidi']) m.authz.members.add(`acme|${u}`);
  m.authz.addGroupMember('acme', 'finance-leads', 'bob');
  m.authz.addGroupMember('acme', 'finance-leads', 'erin');
  m.authz.addGroupMember('acme', 'security', 'carol');
  m.authz.addGroupMember('acme', 'security', 'erin');
  m.authz.addGroupMember('acme', 'oncall', 'frank');
  // Another tenant's group of the same name grants nothing in acme.
  m.authz.addGroupMember('globex', 'security', 'heidi');
  await putPolicy(m.deps, admin, 'acme', policy);
  const r = await createRequest(m.deps, user('alice'), create);
  if (r.alreadyAllowed) throw new Error('unexpected');
  const id = r.request.id;
  const as = (who: string) => ({
    approve: (why = 'checked the new bank details') => decideRequest(m.deps, user(who), { tenant: 'acme', id, comment: why }, 'APPROVE'),
    decline: (why = 'not expected') => decideRequest(m.deps, user(who), { tenant: 'acme', id, comment: why }, 'DECLINE'),
    requestChanges: (why = 'attach the vendor letter') => decideRequest(m.deps, user(who), { tenant: 'acme', id, comment: why }, 'REQUEST_CHANGES'),
    comment: (text: string) => commentRequest(m.deps, user(who), { tenant: 'acme', id, comment: text }),
    resubmit: (justification: string) => resubmitRequest(m.deps, user(who), { tenant: 'acme', id, justification }),
    cancel: (reason = 'no longer needed') => cancelRequest(m.deps, user(who), { tenant: 'acme', id, reason }),
  });
  const types = () => m.requests.emitted.map((e) => e.type);
  const state = async () => (await m.deps.requests.get('acme', id))?.request;
  const advance = async (ms: number) => {
    m.clock.t = new Date(m.clock.t.getTime() + ms);
    return fireTimers(m.deps, 'acme', id);
  };
  return { ...m, id, as, types, state, advance };
}

describe('AND of groups', () => {
  it('needs one of finance AND one of security, two different people', async () => {
    const m = await open(twoGroups);
    const afterBob = await m.as('bob').approve();
    expect(afterBob.state).toBe('PENDING');
    expect(afterBob.votes[0]?.eligibleFor).toEqual(['finance']);
    // A second finance lead does not make up for security.
    expect((await m.as('erin').approve()).state).toBe('APPROVED');
  });

  it('counts a person in both groups once, whatever the order of votes', async () => {
    // erin is in finance-leads and security: erin alone is never enough.
    const a = await open(twoGroups);
    expect((await a.as('erin').approve()).state).toBe('PENDING');
    // bob (finance only) arrives second: the matching moves erin to security.
    expect((await a.as('bob').approve()).state).toBe('APPROVED');

    const b = await open(twoGroups);
    expect((await b.as('erin').approve()).state).toBe('PENDING');
    expect((await b.as('carol').approve()).state).toBe('APPROVED');
  });

  it('refuses people outside every group, and another tenant group of the same name', async () => {
    const m = await open(twoGroups);
    await expect(m.as('dave').approve()).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(m.as('heidi').approve()).rejects.toBeInstanceOf(PermissionDeniedError);
    expect((await m.state())?.votes).toEqual([]);
  });
});

describe('request changes, resubmit, comment, cancel', () => {
  it('sends the request back, and a resubmission starts a new submission that needs fresh approvals', async () => {
    const m = await open(twoGroups);
    await m.as('bob').approve();
    const sent = await m.as('carol').requestChanges('attach the vendor letter');
    expect(sent.state).toBe('CHANGES_REQUESTED');
    await expect(m.as('erin').approve()).rejects.toThrow(/waiting for the requester to resubmit/);
    await expect(m.as('bob').resubmit('x')).rejects.toThrow(/only the requester/);

    const again = await m.as('alice').resubmit('vendor changed bank; letter attached (ticket FIN-7)');
    expect(again).toMatchObject({ state: 'PENDING', submission: 2, justification: 'vendor changed bank; letter attached (ticket FIN-7)' });
    expect(again.submissions.map((s) => [s.number, s.justification])).toEqual([
      [1, 'vendor changed bank'],
      [2, 'vendor changed bank; letter attached (ticket FIN-7)'],
    ]);
    // bob's approval was of submission 1: security alone is not enough now.
    expect((await m.as('carol').approve()).state).toBe('PENDING');
    expect((await m.as('bob').approve()).state).toBe('APPROVED');
    expect(m.types()).toEqual([
      'assent.approval.requested.v1',
      'assent.approval.voted.v1',
      'assent.approval.changes_requested.v1',
      'assent.approval.resubmitted.v1',
      'assent.approval.voted.v1',
      'assent.approval.decided.v1',
    ]);
    const changes = eventsv1.ApprovalActed.fromJSON(m.requests.emitted[2]?.data);
    expect(changes).toMatchObject({ actor: 'carol', reason: 'attach the vendor letter' });
  });

  it('keeps comments from the requester and approvers, and refuses outsiders', async () => {
    const m = await open();
    await m.as('bob').comment('which vendor?');
    const r = await m.as('alice').comment('Acme Paper, invoice 77');
    expect(r.state).toBe('PENDING');
    expect(r.votes.map((v) => [v.approver, v.outcome, v.comment])).toEqual([
      ['bob', 'COMMENT', 'which vendor?'],
      ['alice', 'COMMENT', 'Acme Paper, invoice 77'],
    ]);
    await expect(m.as('erin').comment('hi')).rejects.toBeInstanceOf(PermissionDeniedError);
    // A comment is not a vote: bob may still decide.
    expect((await m.as('bob').approve()).state).toBe('APPROVED');
  });

  it('lets only the requester cancel an open request, with a reason, and then nothing else happens', async () => {
    const m = await open();
    await expect(m.as('bob').cancel()).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(m.as('alice').cancel('  ')).rejects.toBeInstanceOf(InvalidArgumentError);
    const r = await m.as('alice').cancel('wrong account');
    expect(r).toMatchObject({ state: 'CANCELLED', closedBy: 'alice', closeReason: 'wrong account', wakeAt: undefined });
    await expect(m.as('bob').approve()).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(m.as('alice').cancel()).rejects.toThrow(/already cancelled/);
  });

  it('requires a reason for every decision and refuses deciding twice, changing nothing', async () => {
    const m = await open();
    await expect(m.as('bob').approve('   ')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(m.as('bob').decline('')).rejects.toBeInstanceOf(InvalidArgumentError);
    expect((await m.state())?.version).toBe(1);
    await m.as('bob').decline();
    await expect(m.as('bob').decline()).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(m.as('carol').approve()).rejects.toThrow(/already declined/);
    await expect(decideRequest(m.deps, user('bob'), { tenant: 'acme', id: '01JZZZZZZZZZZZZZZZZZZZZZZZ', comment: 'ok' }, 'APPROVE')).rejects.toBeInstanceOf(NotFoundError);
  });
});

const timed = (schedule: Partial<Schedule>): PolicyInput => ({ ...payoutsPolicy, schedule: { ...emptySchedule(), ...schedule } });

describe('timers', () => {
  it('marks the request overdue at its SLA and reminds on schedule, then repeats', async () => {
    const m = await open(timed({ slaSeconds: 3600, reminderAfterSeconds: [900, 1800], reminderRepeatSeconds: 3600 }));
    const created = m.clock.now().getTime();
    expect((await m.state())?.wakeAt?.getTime()).toBe(created + 15 * MIN);
    expect((await m.advance(14 * MIN)).timers.remindersSent).toBe(0);
    const first = await m.advance(1 * MIN);
    expect(first.timers).toMatchObject({ remindersSent: 1, overdue: false });
    expect(first.wakeAt?.getTime()).toBe(created + 30 * MIN);
    // Firing again at the same moment changes nothing (what fired is recorded).
    expect((await fireTimers(m.deps, 'acme', m.id)).version).toBe(first.version);
    await m.advance(15 * MIN);
    const late = await m.advance(30 * MIN);
    expect(late.timers).toMatchObject({ remindersSent: 2, overdue: true });
    expect(late.wakeAt?.getTime()).toBe(created + 90 * MIN);
    const fired = m.requests.emitted.filter((e) => e.type !== 'assent.approval.requested.v1').map((e) => eventsv1.ApprovalTimerFired.fromJSON(e.data));
    expect(fired.map((f) => f.timer)).toEqual(['reminder', 'reminder', 'sla']);
    expect(fired[0]?.notify).toEqual(['user:bob', 'user:carol', 'user:dave']);
    expect(fired[2]?.scheduledAt?.getTime()).toBe(created + 60 * MIN);
  });

  it('escalates by adding, then replacing approvers; a replaced approver can no longer approve', async () => {
    const m = await open(
      timed({
        escalation: [
          { afterSeconds: 1800, approvers: ['group:oncall#member'], mode: 'ADD' },
          { afterSeconds: 3600, approvers: ['user:grace'], mode: 'REPLACE' },
        ],
      }),
    );
    await expect(m.as('frank').approve()).rejects.toBeInstanceOf(PermissionDeniedError);
    const t1 = await m.advance(30 * MIN);
    expect(t1.requirements[0]?.approvers).toEqual(['user:bob', 'user:carol', 'user:dave', 'group:oncall#member']);
    expect(t1.timers.escalations).toBe(1);
    const t2 = await m.advance(60 * MIN);
    expect(t2.requirements[0]?.approvers).toEqual(['user:grace']);
    expect(t2.wakeAt).toBeUndefined();
    await expect(m.as('bob').approve()).rejects.toBeInstanceOf(PermissionDeniedError);
    expect((await m.as('grace').approve()).state).toBe('APPROVED');
    const escalated = m.requests.emitted.filter((e) => e.type === 'assent.approval.escalated.v1').map((e) => eventsv1.ApprovalTimerFired.fromJSON(e.data));
    expect(escalated.map((e) => [e.escalationTier, e.notify])).toEqual([
      [0, ['group:oncall#member']],
      [1, ['user:grace']],
    ]);
  });

  it('loops the escalation chain until the request expires', async () => {
    const m = await open(
      timed({
        escalation: [
          { afterSeconds: 600, approvers: ['user:erin'], mode: 'ADD' },
          { afterSeconds: 600, approvers: ['user:frank'], mode: 'ADD' },
        ],
        escalationLoopTo: 1,
        expireAfterSeconds: 3600,
      }),
    );
    for (let i = 0; i < 5; i++) await m.advance(10 * MIN);
    expect((await m.state())?.timers.escalations).toBe(5);
    const expired = await m.advance(10 * MIN);
    expect(expired).toMatchObject({ state: 'EXPIRED', closedBy: 'system', wakeAt: undefined });
    const tiers = m.requests.emitted.filter((e) => e.type === 'assent.approval.escalated.v1').map((e) => eventsv1.ApprovalTimerFired.fromJSON(e.data).escalationTier);
    expect(tiers).toEqual([0, 1, 1, 1, 1]);
    expect(m.types().at(-1)).toBe('assent.approval.expired.v1');
    await expect(m.as('bob').approve()).rejects.toThrow(/already expired/);
  });

  it('catches up after an outage with one reminder notice and the expiry first', async () => {
    const m = await open(timed({ reminderAfterSeconds: [600], reminderRepeatSeconds: 600, expireAfterSeconds: 7200 }));
    const r = await m.advance(65 * MIN);
    expect(r.timers.remindersSent).toBe(6);
    const notices = m.requests.emitted.filter((e) => e.type === 'assent.approval.reminder.v1').map((e) => eventsv1.ApprovalTimerFired.fromJSON(e.data));
    expect(notices.map((n) => n.reminders)).toEqual([6]);
    expect((await m.advance(24 * 60 * MIN)).state).toBe('EXPIRED');
    expect(m.types().filter((t) => t === 'assent.approval.reminder.v1')).toHaveLength(1);
  });

  it('pauses approver timers while changes are requested, restarts the SLA on resubmit, keeps expiry from creation', async () => {
    const m = await open(timed({ slaSeconds: 3600, reminderAfterSeconds: [1800], expireAfterSeconds: 4 * 3600 }));
    const created = m.clock.now().getTime();
    await m.as('bob').requestChanges();
    expect((await m.state())?.wakeAt?.getTime()).toBe(created + 240 * MIN);
    await m.advance(120 * MIN);
    expect((await m.state())?.timers.overdue).toBe(false);
    const r = await m.as('alice').resubmit('with the letter');
    expect(r.timers.dueAt?.getTime()).toBe(created + 180 * MIN);
    expect(r.timers.expiresAt?.getTime()).toBe(created + 240 * MIN);
    expect(r.wakeAt?.getTime()).toBe(created + 150 * MIN);
  });

  it('pins requirements and timers at creation: a policy edit applies to new requests only', async () => {
    const m = await open(timed({ expireAfterSeconds: 3600 }));
    await putPolicy(m.deps, admin, 'acme', { ...payoutsPolicy, requirements: [{ name: 'approvers', approvers: ['user:grace'], quorum: 1 }] });
    const old = await m.state();
    expect(old?.requirements[0]?.approvers).toEqual(['user:bob', 'user:carol', 'user:dave']);
    expect(old?.timers.expiresAt).toBeDefined();
    const fresh = await createRequest(m.deps, user('alice'), { ...create, resource: 'payout-account/43' });
    if (fresh.alreadyAllowed) throw new Error('unexpected');
    expect(fresh.request.requirements[0]?.approvers).toEqual(['user:grace']);
    expect(fresh.request.timers.expiresAt).toBeUndefined();
    expect(fresh.request.policyHash).not.toBe(old?.policyHash);
    expect((await m.as('bob').approve()).state).toBe('APPROVED');
  });
});

describe('grants', () => {
  it('ends a grant at its time: removed from authz by the timer, recorded on the request, once', async () => {
    const m = await open();
    await m.as('bob').approve();
    await applyGrant(m.deps, 'acme', m.id);
    const approved = await m.state();
    expect(approved?.wakeAt).toEqual(approved?.grantExpiresAt);
    expect((await m.authz.check('acme', 'alice', create.action, create.resource)).decision).toBe('ALLOW');
    expect((await m.advance(30 * MIN)).grantClosed).toBeUndefined();
    const ended = await m.advance(30 * MIN);
    expect(ended.grantClosed).toMatchObject({ kind: 'ended', by: '' });
    expect(ended.wakeAt).toBeUndefined();
    expect((await m.authz.check('acme', 'alice', create.action, create.resource)).decision).toBe('NEEDS_APPROVAL');
    expect((await fireTimers(m.deps, 'acme', m.id)).version).toBe(ended.version);
  });

  it('revokes a grant early by the requester, an approver or an admin, with a reason, once', async () => {
    const m = await open();
    await expect(revokeGrant(m.deps, user('alice'), { tenant: 'acme', id: m.id, reason: 'not needed' })).rejects.toThrow(/no grant to revoke/);
    await m.as('bob').approve();
    await applyGrant(m.deps, 'acme', m.id);
    await expect(revokeGrant(m.deps, user('erin'), { tenant: 'acme', id: m.id, reason: 'x' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(revokeGrant(m.deps, user('carol'), { tenant: 'acme', id: m.id, reason: ' ' })).rejects.toBeInstanceOf(InvalidArgumentError);
    const r = await revokeGrant(m.deps, user('carol'), { tenant: 'acme', id: m.id, reason: 'vendor fraud suspected' });
    expect(r.grantClosed).toMatchObject({ kind: 'revoked', by: 'carol', reason: 'vendor fraud suspected' });
    expect(r.wakeAt).toBeUndefined();
    expect((await m.authz.check('acme', 'alice', create.action, create.resource)).decision).toBe('NEEDS_APPROVAL');
    await expect(revokeGrant(m.deps, user('alice'), { tenant: 'acme', id: m.id, reason: 'again' })).rejects.toThrow(/already revoked/);
  });
});

describe('break-glass', () => {
  it('lets the requester approve in an emergency where the policy allows it, loudly, and waits for one review', async () => {
    const m = await open({ ...payoutsPolicy, allowBreakGlass: true });
    await expect(breakGlass(m.deps, user('alice'), { tenant: 'acme', id: m.id, reason: 'urgent' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(breakGlass(m.deps, user('bob'), { tenant: 'acme', id: m.id, reason: 'production payments are failing' })).rejects.toBeInstanceOf(PermissionDeniedError);
    const r = await breakGlass(m.deps, user('alice'), { tenant: 'acme', id: m.id, reason: 'production payments are failing' });
    expect(r).toMatchObject({ state: 'APPROVED', breakGlass: { reason: 'production payments are failing', review: undefined } });
    expect(m.types().slice(-2)).toEqual(['assent.approval.break_glass.v1', 'assent.approval.decided.v1']);
    expect(eventsv1.ApprovalBreakGlass.fromJSON(m.requests.emitted.at(-2)?.data)).toMatchObject({ actor: 'alice', severity: 'high' });
    // The review waits in the approvers' pending inbox, not the requester's.
    const pending = async (who: string) => (await listInbox(m.deps, user(who), { tenant: 'acme', tab: 'pending', filter: { action: '', requester: '', overdueOnly: false }, pageSize: 0, pageToken: '' })).items.map((i) => i.request.id);
    expect(await pending('carol')).toEqual([m.id]);
    expect(await pending('alice')).toEqual([]);
    await expect(reviewBreakGlass(m.deps, user('alice'), { tenant: 'acme', id: m.id, verdict: 'ACCEPTED', reason: 'fine' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(reviewBreakGlass(m.deps, user('erin'), { tenant: 'acme', id: m.id, verdict: 'ACCEPTED', reason: 'fine' })).rejects.toBeInstanceOf(PermissionDeniedError);
    const reviewed = await reviewBreakGlass(m.deps, user('carol'), { tenant: 'acme', id: m.id, verdict: 'CONCERN', reason: 'could have waited an hour' });
    expect(reviewed.breakGlass?.review).toMatchObject({ by: 'carol', verdict: 'CONCERN', reason: 'could have waited an hour' });
    await expect(reviewBreakGlass(m.deps, user('bob'), { tenant: 'acme', id: m.id, verdict: 'ACCEPTED', reason: 'ok' })).rejects.toThrow(/already reviewed by carol/);
    expect(await pending('carol')).toEqual([]);
  });

  it('is refused where the policy does not allow it', async () => {
    const m = await open();
    await expect(breakGlass(m.deps, user('alice'), { tenant: 'acme', id: m.id, reason: 'production payments are failing' })).rejects.toThrow(/does not allow break-glass/);
    expect((await m.state())?.state).toBe('PENDING');
  });
});

describe('simulateRequest', () => {
  it('lists the policy, its groups now and every timer in order, the same as the scheduler would fire them, and stores nothing', async () => {
    const m = await open({
      ...twoGroups,
      schedule: {
        ...emptySchedule(),
        slaSeconds: 3600,
        reminderAfterSeconds: [1800],
        escalation: [
          { afterSeconds: 2700, approvers: ['group:oncall#member'], mode: 'ADD' },
          { afterSeconds: 1800, approvers: ['user:grace'], mode: 'REPLACE' },
        ],
        escalationLoopTo: 1,
        expireAfterSeconds: 3 * 3600,
      },
    });
    const before = m.requests.emitted.length;
    const at = new Date('2026-03-01T09:00:00Z');
    const sim = await simulateRequest(m.deps, user('alice'), { tenant: 'acme', action: create.action, at });
    expect(sim.policy.id).toBe(payoutsPolicy.id);
    expect(sim.groups).toEqual([
      { subject: 'group:finance-leads#member', users: ['bob', 'erin'], truncated: false },
      { subject: 'group:security#member', users: ['carol', 'erin'], truncated: false },
      { subject: 'group:oncall#member', users: ['frank'], truncated: false },
    ]);
    const t = (minutes: number) => new Date(at.getTime() + minutes * MIN);
    expect(sim.timers.map((e) => [e.timer, e.at])).toEqual([
      ['reminder', t(30)],
      ['escalation', t(45)],
      ['sla', t(60)],
      ['escalation', t(75)],
      ['escalation', t(105)],
      ['escalation', t(135)],
      ['escalation', t(165)],
      ['expiry', t(180)],
    ]);
    expect(sim.timers[1]?.detail).toBe('escalation tier 0 adds group:oncall#member');
    expect(sim.timers[3]?.detail).toBe('escalation tier 1 replaces the approvers with user:grace');
    expect(sim.timersTruncated).toBe(false);

    // The real request, woken at the same offsets, fires the same timers.
    const fired: string[] = [];
    for (const minutes of [30, 15, 15, 15, 30, 30, 30, 15]) {
      const before2 = m.requests.emitted.length;
      await m.advance(minutes * MIN);
      fired.push(...m.requests.emitted.slice(before2).map((e) => e.type.split('.')[2] as string));
    }
    expect(fired).toEqual(['reminder', 'escalated', 'overdue', 'escalated', 'escalated', 'escalated', 'escalated', 'expired']);
    expect(m.requests.emitted.length - before).toBe(8);
    await expect(simulateRequest(m.deps, user('alice'), { tenant: 'acme', action: 'keys.rotate', at })).rejects.toBeInstanceOf(NotFoundError);
    await expect(simulateRequest(m.deps, user('alice', 'globex'), { tenant: 'acme', action: create.action, at })).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});

describe('policy validation', () => {
  it('names every bad requirement and timer field, and stores nothing', async () => {
    const m = memoryDeps();
    const bad: PolicyInput = {
      ...payoutsPolicy,
      requirements: [
        { name: 'finance', approvers: ['group:finance#member'], quorum: 1 },
        { name: 'finance', approvers: [], quorum: 0 },
      ],
      schedule: {
        ...emptySchedule(),
        slaSeconds: -5,
        reminderAfterSeconds: [1800, 900],
        reminderRepeatSeconds: 30,
        escalation: [{ afterSeconds: 600, approvers: ['bob'], mode: 'ADD' }],
        escalationLoopTo: 0,
      },
    };
    const err = await putPolicy(m.deps, admin, 'acme', bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).violations.map((v) => v.field).sort()).toEqual([
      'policy.requirements[1].approvers',
      'policy.requirements[1].name',
      'policy.requirements[1].quorum',
      'policy.schedule.escalation[0].approvers[0]',
      'policy.schedule.escalation_loop_to',
      'policy.schedule.reminder_after_seconds[1]',
      'policy.schedule.reminder_repeat_seconds',
      'policy.schedule.sla_seconds',
    ]);
    expect(await m.deps.policies.get('acme', payoutsPolicy.action)).toBeUndefined();
  });

  it('registers escalation approvers with authz too, so they can be checked when asked', async () => {
    const m = memoryDeps();
    await putPolicy(m.deps, admin, 'acme', timed({ escalation: [{ afterSeconds: 600, approvers: ['user:grace'], mode: 'ADD' }] }));
    expect(m.authz.actions.get('acme|payouts.change_details')?.approvers).toEqual(['user:bob', 'user:carol', 'user:dave', 'user:grace']);
  });
});
