import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, PermissionDeniedError } from '@assent/platform';
import { bulkAct } from '../src/domain/commands/bulk-act.js';
import { createRequest } from '../src/domain/commands/create-request.js';
import { decideRequest } from '../src/domain/commands/decide-request.js';
import { fireTimers } from '../src/domain/commands/fire-timers.js';
import { listInbox, type InboxFilter } from '../src/domain/commands/list-inbox.js';
import { putPolicy } from '../src/domain/commands/put-policy.js';
import { reassignRequest } from '../src/domain/commands/reassign-request.js';
import { presetUntil, snoozeRequest } from '../src/domain/commands/snooze-request.js';
import { emptySchedule, type PolicyInput } from '../src/domain/policy-rules.js';
import type { InboxTab } from '../src/domain/ports.js';
import { memoryDeps, payoutsPolicy, user } from './fixtures.js';

const admin = user('root', 'acme', ['admin']);
const none: InboxFilter = { action: '', requester: '', overdueOnly: false };
const HOUR = 3600_000;

/** Payouts (bob, carol, dave; SLA by `sla` seconds) and vendor payments (finance-leads group AND carol). */
async function setup() {
  const m = memoryDeps();
  m.authz.members.add('acme|erin');
  m.authz.addGroupMember('acme', 'finance-leads', 'erin');
  m.authz.addGroupMember('acme', 'finance-leads', 'bob');
  await putPolicy(m.deps, admin, 'acme', { ...payoutsPolicy, schedule: { ...emptySchedule(), slaSeconds: 3600 } });
  const vendor: PolicyInput = {
    ...payoutsPolicy,
    id: 'vendor',
    action: 'payouts.approve_vendor',
    requirements: [
      { name: 'finance', approvers: ['group:finance-leads#member'], quorum: 1 },
      { name: 'security', approvers: ['user:carol'], quorum: 1 },
    ],
  };
  await putPolicy(m.deps, admin, 'acme', vendor);
  const open = async (who: string, action: string, resource: string) => {
    const r = await createRequest(m.deps, user(who), { tenant: 'acme', action, resource, justification: 'because', idempotencyKey: '' });
    if (r.alreadyAllowed) throw new Error('unexpected');
    m.clock.t = new Date(m.clock.t.getTime() + 60_000);
    return r.request.id;
  };
  const inbox = async (who: string, tab: InboxTab = 'pending', filter: Partial<InboxFilter> = {}, pageSize = 0, pageToken = '') =>
    listInbox(m.deps, user(who), { tenant: 'acme', tab, filter: { ...none, ...filter }, pageSize, pageToken });
  const ids = async (who: string, tab: InboxTab = 'pending', filter: Partial<InboxFilter> = {}) => (await inbox(who, tab, filter)).items.map((i) => i.request.id);
  return { ...m, open, inbox, ids };
}

describe('inbox', () => {
  it('shows each person what waits for them, through their groups too, due first, and nothing of their own', async () => {
    const m = await setup();
    const vendor = await m.open('alice', 'payouts.approve_vendor', 'vendor/1');
    const p1 = await m.open('alice', payoutsPolicy.action, 'acct/1');
    const p2 = await m.open('erin', payoutsPolicy.action, 'acct/2');
    // Payouts have a one-hour SLA, vendor payments none: due ones first, in due order.
    expect(await m.ids('bob')).toEqual([p1, p2, vendor]);
    expect(await m.ids('erin')).toEqual([vendor]);
    expect(await m.ids('carol')).toEqual([p1, p2, vendor]);
    expect(await m.ids('alice')).toEqual([]);
    expect(await m.ids('carol', 'pending', { requester: 'erin' })).toEqual([p2]);
    expect(await m.ids('carol', 'pending', { action: 'payouts.approve_vendor' })).toEqual([vendor]);
  });

  it('moves a request to Done for whoever acted, and out of Pending for everyone once decided', async () => {
    const m = await setup();
    const vendor = await m.open('alice', 'payouts.approve_vendor', 'vendor/1');
    await decideRequest(m.deps, user('erin'), { tenant: 'acme', id: vendor, comment: 'ok' }, 'APPROVE');
    // Finance is met: bob (finance only) no longer needs to act; carol still does.
    expect(await m.ids('bob')).toEqual([]);
    expect(await m.ids('erin')).toEqual([]);
    expect(await m.ids('carol')).toEqual([vendor]);
    const done = await m.inbox('erin', 'done');
    expect(done.items.map((i) => [i.request.id, i.actedAt])).toEqual([[vendor, m.clock.now()]]);
    await decideRequest(m.deps, user('carol'), { tenant: 'acme', id: vendor, comment: 'ok' }, 'APPROVE');
    expect(await m.ids('carol')).toEqual([]);
    expect(await m.ids('carol', 'done')).toEqual([vendor]);
  });

  it('filters overdue requests and pages with a cursor', async () => {
    const m = await setup();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push(await m.open('alice', payoutsPolicy.action, `acct/${i}`));
    m.clock.t = new Date(m.clock.t.getTime() + HOUR - 4 * 60_000);
    // The first two (created a minute apart) are past their one-hour SLA now.
    expect(await m.ids('bob', 'pending', { overdueOnly: true })).toEqual(made.slice(0, 2));
    const p1 = await m.inbox('bob', 'pending', {}, 2);
    const p2 = await m.inbox('bob', 'pending', {}, 2, p1.nextPageToken);
    const p3 = await m.inbox('bob', 'pending', {}, 2, p2.nextPageToken);
    expect([...p1.items, ...p2.items, ...p3.items].map((i) => i.request.id)).toEqual(made);
    expect(p3.nextPageToken).toBe('');
    await expect(m.inbox('bob', 'pending', {}, 2, 'garbage')).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('snoozes a request out of Pending until its time, then it comes back by itself, once', async () => {
    const m = await setup();
    const id = await m.open('alice', payoutsPolicy.action, 'acct/1');
    const until = new Date(m.clock.now().getTime() + HOUR);
    const snoozed = await snoozeRequest(m.deps, user('bob'), { tenant: 'acme', id, preset: undefined, until });
    expect(snoozed.snoozes).toEqual([{ user: 'bob', until }]);
    // The earliest timer wakes the request: here the SLA (an hour after creation) before the snooze's end.
    expect(snoozed.wakeAt).toEqual(snoozed.timers.dueAt);
    expect(await m.ids('bob')).toEqual([]);
    expect((await m.inbox('bob', 'snoozed')).items.map((i) => [i.request.id, i.snoozedUntil])).toEqual([[id, until]]);
    expect(await m.ids('carol')).toEqual([id]);
    m.clock.t = until;
    const back = await fireTimers(m.deps, 'acme', id);
    expect(back.snoozes).toEqual([]);
    expect(m.requests.emitted.filter((e) => e.type === 'assent.approval.unsnoozed.v1')).toHaveLength(1);
    expect(await fireTimers(m.deps, 'acme', id)).toEqual(back);
    expect(await m.ids('bob')).toEqual([id]);
    expect(await m.ids('bob', 'snoozed')).toEqual([]);
    await expect(snoozeRequest(m.deps, user('erin'), { tenant: 'acme', id, preset: 'ONE_HOUR', until: undefined })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(snoozeRequest(m.deps, user('bob'), { tenant: 'acme', id, preset: undefined, until: new Date(0) })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('computes presets in UTC', () => {
    const wed = new Date('2026-12-02T17:30:00Z');
    expect(presetUntil('ONE_HOUR', wed).toISOString()).toBe('2026-12-02T18:30:00.000Z');
    expect(presetUntil('TOMORROW', wed).toISOString()).toBe('2026-12-03T09:00:00.000Z');
    expect(presetUntil('NEXT_WEEK', wed).toISOString()).toBe('2026-12-07T09:00:00.000Z');
    expect(presetUntil('NEXT_WEEK', new Date('2026-12-07T08:00:00Z')).toISOString()).toBe('2026-12-14T09:00:00.000Z');
  });

  it('acts on many requests at once with a result per item, one refusal stopping nothing', async () => {
    const m = await setup();
    const a = await m.open('alice', payoutsPolicy.action, 'acct/1');
    const b = await m.open('bob', payoutsPolicy.action, 'acct/2');
    const c = await m.open('alice', payoutsPolicy.action, 'acct/3');
    await decideRequest(m.deps, user('carol'), { tenant: 'acme', id: c, comment: 'no' }, 'DECLINE');
    const results = await bulkAct(m.deps, user('bob'), { tenant: 'acme', ids: [a, b, c], action: { kind: 'APPROVE', reason: 'batch review' } });
    expect(results.map((r) => [r.id, r.request?.state, r.error?.kind])).toEqual([
      [a, 'APPROVED', undefined],
      [b, undefined, 'permission_denied'],
      [c, undefined, 'failed_precondition'],
    ]);
    await expect(bulkAct(m.deps, user('bob'), { tenant: 'acme', ids: [a, a], action: { kind: 'APPROVE', reason: 'x' } })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(bulkAct(m.deps, user('bob'), { tenant: 'acme', ids: [a], action: { kind: 'DECLINE', reason: ' ' } })).rejects.toBeInstanceOf(InvalidArgumentError);
    const d = await m.open('alice', payoutsPolicy.action, 'acct/4');
    const snoozed = await bulkAct(m.deps, user('carol'), { tenant: 'acme', ids: [d], action: { kind: 'SNOOZE', preset: 'FOUR_HOURS', until: undefined } });
    expect(snoozed[0]?.request?.snoozes.map((s) => s.user)).toEqual(['carol']);
  });
});

describe('reassign', () => {
  it('passes the caller’s part on, records the chain, and moves the request between inboxes', async () => {
    const m = await setup();
    m.authz.members.add('acme|frank');
    const id = await m.open('alice', payoutsPolicy.action, 'acct/1');
    const first = await reassignRequest(m.deps, user('bob'), { tenant: 'acme', id, to: 'erin', reason: 'on leave' });
    expect(first.requirements[0]?.approvers).toEqual(['user:carol', 'user:dave', 'user:erin']);
    const second = await reassignRequest(m.deps, user('erin'), { tenant: 'acme', id, to: 'frank', reason: 'frank knows the vendor' });
    expect(second.handoffs.map((h) => [h.from, h.to, h.reason])).toEqual([
      ['bob', 'erin', 'on leave'],
      ['erin', 'frank', 'frank knows the vendor'],
    ]);
    expect(await m.ids('bob')).toEqual([]);
    expect(await m.ids('frank')).toEqual([id]);
    await expect(decideRequest(m.deps, user('bob'), { tenant: 'acme', id, comment: 'ok' }, 'APPROVE')).rejects.toBeInstanceOf(PermissionDeniedError);
    expect((await decideRequest(m.deps, user('frank'), { tenant: 'acme', id, comment: 'ok' }, 'APPROVE')).state).toBe('APPROVED');
    expect(m.requests.emitted.filter((e) => e.type === 'assent.approval.reassigned.v1')).toHaveLength(2);
  });

  it('refuses a handoff by someone with no part, to the requester, to a non-member, or without a reason', async () => {
    const m = await setup();
    const id = await m.open('alice', payoutsPolicy.action, 'acct/1');
    await expect(reassignRequest(m.deps, user('erin'), { tenant: 'acme', id, to: 'dave', reason: 'x' })).rejects.toThrow(/no part/);
    await expect(reassignRequest(m.deps, user('bob'), { tenant: 'acme', id, to: 'alice', reason: 'x' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(reassignRequest(m.deps, user('bob'), { tenant: 'acme', id, to: 'mallory', reason: 'x' })).rejects.toThrow(/not a member/);
    await expect(reassignRequest(m.deps, user('bob'), { tenant: 'acme', id, to: 'dave', reason: '' })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect((await m.deps.requests.get('acme', id))?.request.version).toBe(1);
  });
});
