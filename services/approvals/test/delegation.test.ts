import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@assent/platform';
import { createRequest } from '../src/domain/commands/create-request.js';
import { decideRequest } from '../src/domain/commands/decide-request.js';
import { endDelegation } from '../src/domain/commands/end-delegation.js';
import { listDelegations } from '../src/domain/commands/list-delegations.js';
import { listInbox } from '../src/domain/commands/list-inbox.js';
import { putPolicy } from '../src/domain/commands/put-policy.js';
import { setDelegation } from '../src/domain/commands/set-delegation.js';
import { awaiting } from '../src/domain/schedule.js';
import { memoryDeps, payoutsPolicy, user, withQuorum } from './fixtures.js';

const admin = user('root', 'acme', ['admin']);
const DAY = 86_400_000;
const create = { tenant: 'acme', action: payoutsPolicy.action, resource: 'payout-account/42', justification: 'vendor changed bank', idempotencyKey: '' };

/** bob and carol approve (2 of them); erin is not an approver; bob goes on holiday. */
async function setup(quorum = 1) {
  const m = memoryDeps();
  m.authz.members.add('acme|erin');
  await putPolicy(m.deps, admin, 'acme', withQuorum(quorum, ['user:bob', 'user:carol']));
  const opened = await createRequest(m.deps, user('alice'), create);
  if (opened.alreadyAllowed) throw new Error('unexpected');
  const id = opened.request.id;
  const now = m.clock.t.getTime();
  const away = (from = 'bob', to = 'erin', startsIn = 0, days = 7, by = user(from)) =>
    setDelegation(m.deps, by, { tenant: 'acme', from: by.subject === from ? '' : from, to, startsAt: new Date(now + startsIn), endsAt: new Date(now + startsIn + days * DAY), reason: 'holiday' });
  const approve = (who: string) => decideRequest(m.deps, user(who), { tenant: 'acme', id, comment: 'checked' }, 'APPROVE');
  return { ...m, id, now, away, approve };
}

describe('out-of-office delegation', () => {
  it('lets the delegate approve for the away approver within the range, recorded on their behalf and published', async () => {
    const m = await setup();
    await expect(m.approve('erin')).rejects.toBeInstanceOf(PermissionDeniedError);
    const d = await m.away();
    expect(m.delegations.emitted.map((e) => e.type)).toEqual(['assent.approval.delegation_set.v1']);
    const r = await m.approve('erin');
    expect(r.state).toBe('APPROVED');
    expect(r.votes[0]).toMatchObject({ approver: 'erin', onBehalfOf: 'bob', eligibleFor: ['approvers'] });
    expect(d).toMatchObject({ from: 'bob', to: 'erin', createdBy: 'bob', reason: 'holiday' });
  });

  it('does nothing before the range starts or after it ends', async () => {
    const m = await setup();
    await m.away('bob', 'erin', DAY, 1);
    await expect(m.approve('erin')).rejects.toThrow(/not among the approvers/);
    m.clock.t = new Date(m.now + 2 * DAY);
    await expect(m.approve('erin')).rejects.toThrow(/not among the approvers/);
    m.clock.t = new Date(m.now + DAY + 1000);
    expect((await m.approve('erin')).votes[0]?.onBehalfOf).toBe('bob');
  });

  it('keeps one person, one vote: the delegate and the away approver cannot both count', async () => {
    const m = await setup(2);
    await m.away('bob', 'carol');
    // carol approves as herself; she may not also approve for bob.
    await m.approve('carol');
    await expect(m.approve('carol')).rejects.toBeInstanceOf(FailedPreconditionError);
    const m2 = await setup(2);
    await m2.away('bob', 'erin');
    const r = await m2.approve('erin');
    expect(awaiting(r)).toEqual(['user:carol']);
    // bob is back early: his delegate already acted for him.
    await expect(m2.approve('bob')).rejects.toThrow(/already acted/);
  });

  it('never lets someone approve their own request through a delegation', async () => {
    const m = await setup();
    // The requester's own approvals are refused anyway; nor can alice's delegate act "for" alice.
    await setDelegation(m.deps, user('alice'), { tenant: 'acme', from: '', to: 'erin', startsAt: undefined, endsAt: new Date(m.now + DAY), reason: 'out' });
    await expect(m.approve('erin')).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it('ends early, refuses overlaps, bad ranges and other people’s delegations, and lists both directions', async () => {
    const m = await setup();
    const d = await m.away();
    await expect(m.away('bob', 'carol', DAY)).rejects.toThrow(/overlaps delegation/);
    await expect(m.away('bob', 'bob')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(m.away('bob', 'erin', 0, 91)).rejects.toThrow(/90 days/);
    await expect(setDelegation(m.deps, user('bob'), { tenant: 'acme', from: '', to: 'erin', startsAt: undefined, endsAt: undefined, reason: 'x' })).rejects.toThrow(/ends_at/);
    await expect(m.away('carol', 'erin', 0, 1, user('bob'))).rejects.toBeInstanceOf(PermissionDeniedError);
    // A tenant admin may set one for someone else.
    await expect(m.away('carol', 'erin', 0, 1, admin)).resolves.toMatchObject({ from: 'carol', createdBy: 'root' });
    expect((await listDelegations(m.deps, user('erin'), { tenant: 'acme', user: '', includeEnded: false })).received.map((x) => x.from)).toEqual(['bob', 'carol']);
    const ended = await endDelegation(m.deps, user('bob'), { tenant: 'acme', from: '', id: d.id });
    expect(ended.ended).toMatchObject({ by: 'bob' });
    await expect(endDelegation(m.deps, user('bob'), { tenant: 'acme', from: '', id: d.id })).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(endDelegation(m.deps, user('bob'), { tenant: 'acme', from: '', id: '01J00000000000000000000000' })).rejects.toBeInstanceOf(NotFoundError);
    const mine = await listDelegations(m.deps, user('bob'), { tenant: 'acme', user: '', includeEnded: false });
    expect(mine.given).toEqual([]);
    expect((await listDelegations(m.deps, user('bob'), { tenant: 'acme', user: '', includeEnded: true })).given).toHaveLength(1);
    // bob's delegation is over: erin now acts only for carol, who is still away.
    const r = await m.approve('erin');
    expect(r.votes[0]?.onBehalfOf).toBe('carol');
    expect(m.delegations.emitted.map((e) => e.type)).toContain('assent.approval.delegation_ended.v1');
  });
});

describe('the delegate’s inbox', () => {
  it('holds the away approver’s pending requests during the range, and not after', async () => {
    const m = await setup();
    const stored = await m.deps.requests.get('acme', m.id);
    await m.deps.inbox.project(stored!.request);
    const pending = async () =>
      (await listInbox(m.deps, user('erin'), { tenant: 'acme', tab: 'pending', filter: { action: '', requester: '', overdueOnly: false }, pageSize: 10, pageToken: '' })).items.map((i) => i.request.id);
    expect(await pending()).toEqual([]);
    await m.away('bob', 'erin', 0, 1);
    expect(await pending()).toEqual([m.id]);
    m.clock.t = new Date(m.now + 2 * DAY);
    expect(await pending()).toEqual([]);
  });
});
