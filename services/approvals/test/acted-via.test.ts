import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, type Principal } from '@assent/platform';
import { commentRequest } from '../src/domain/commands/comment-request.js';
import { createRequest } from '../src/domain/commands/create-request.js';
import { decideRequest } from '../src/domain/commands/decide-request.js';
import { putPolicy } from '../src/domain/commands/put-policy.js';
import type { PolicyInput } from '../src/domain/policy-rules.js';
import { memoryDeps, user, withQuorum } from './fixtures.js';

/** A person as the gRPC server makes them when the notifier acts for them (assent-acting-for). */
const viaSlack = (subject: string): Principal => ({ ...user(subject), via: { service: 'service:notifier', channel: 'slack' } });

async function open(policy: PolicyInput = withQuorum(2)) {
  const m = memoryDeps();
  await putPolicy(m.deps, user('root', 'acme', ['admin']), 'acme', policy);
  const r = await createRequest(m.deps, user('alice'), { tenant: 'acme', action: 'payouts.change_details', resource: 'acct/1', justification: 'new bank', idempotencyKey: '' });
  if (r.alreadyAllowed) throw new Error('unexpected');
  return { ...m, id: r.request.id };
}

describe('a person acting through a channel service', () => {
  it('records the channel on the vote and on each event, so audit can say "bob approved via slack (notifier)"', async () => {
    const m = await open();
    const voted = await decideRequest(m.deps, viaSlack('bob'), { tenant: 'acme', id: m.id, comment: 'ok' }, 'APPROVE');
    expect(voted.votes[0]).toMatchObject({ approver: 'bob', via: { service: 'service:notifier', channel: 'slack' } });
    expect(m.requests.emitted.at(-1)).toMatchObject({
      type: 'assent.approval.voted.v1',
      data: { vote: { approver: 'bob', via: { service: 'service:notifier', channel: 'ACTING_CHANNEL_SLACK' } } },
    });
    await commentRequest(m.deps, { ...user('carol'), via: { service: 'service:notifier', channel: 'email' } }, { tenant: 'acme', id: m.id, comment: 'checking' });
    expect(m.requests.emitted.at(-1)).toMatchObject({ type: 'assent.approval.commented.v1', data: { actor: 'carol', via: { channel: 'ACTING_CHANNEL_EMAIL' } } });
    await decideRequest(m.deps, viaSlack('carol'), { tenant: 'acme', id: m.id, comment: 'fine' }, 'APPROVE');
    expect(m.requests.emitted.at(-1)).toMatchObject({
      type: 'assent.approval.decided.v1',
      data: { decidedBy: 'carol', via: { service: 'service:notifier', channel: 'ACTING_CHANNEL_SLACK' } },
    });
  });

  it('a vote made with the person\'s own token has no via', async () => {
    const m = await open();
    const voted = await decideRequest(m.deps, user('bob'), { tenant: 'acme', id: m.id, comment: 'ok' }, 'APPROVE');
    expect(voted.votes[0]?.via).toBeUndefined();
    expect(m.requests.emitted.at(-1)).toMatchObject({ type: 'assent.approval.voted.v1', data: { vote: { approver: 'bob' } } });
    expect(m.requests.emitted.at(-1)?.data).not.toHaveProperty('vote.via');
  });

  it('cannot approve where the policy needs a step-up, even with a step-up session: refused and audited with the channel', async () => {
    const m = await open({ ...withQuorum(1), requireStepUpToApprove: true });
    m.authz.steppedUp.add('acme|bob');
    const refused = await decideRequest(m.deps, viaSlack('bob'), { tenant: 'acme', id: m.id, comment: 'ok' }, 'APPROVE').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FailedPreconditionError);
    expect(refused).toMatchObject({ reason: 'STEP_UP_REQUIRED', message: expect.stringContaining('which slack cannot give') });
    expect(m.events.events.at(-1)).toMatchObject({ type: 'assent.approval.vote_refused.v1', data: { code: 'STEP_UP_REQUIRED', principal: 'bob', via: { channel: 'ACTING_CHANNEL_SLACK' } } });
    // With their own token and the session, the same person approves.
    expect((await decideRequest(m.deps, user('bob'), { tenant: 'acme', id: m.id, comment: 'ok' }, 'APPROVE')).state).toBe('APPROVED');
  });

  it('an ineligible person is refused through a channel as with a token, and the refusal names the channel', async () => {
    const m = await open();
    await expect(decideRequest(m.deps, viaSlack('alice'), { tenant: 'acme', id: m.id, comment: 'mine' }, 'APPROVE')).rejects.toThrow(/does not allow approving your own request/);
    expect(m.events.events.at(-1)).toMatchObject({ type: 'assent.approval.vote_refused.v1', data: { code: 'SELF_APPROVAL', via: { channel: 'ACTING_CHANNEL_SLACK' } } });
  });
});
