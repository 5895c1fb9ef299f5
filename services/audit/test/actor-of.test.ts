import { describe, expect, it } from 'vitest';
import { actorOf } from '../src/domain/actor-of.js';
import { sourceEvent } from './support/deps.js';

const request = { id: 'r1', requester: 'alice' };

describe('actorOf', () => {
  it.each([
    ['assent.approval.requested.v1', { request, slackChannel: '' }, 'alice'],
    ['assent.approval.voted.v1', { request, vote: { approver: 'bob', outcome: 'OUTCOME_APPROVE' } }, 'bob'],
    ['assent.approval.decided.v1', { request, outcome: 'OUTCOME_DECLINE', decidedBy: 'carol' }, 'carol'],
    ['assent.approval.decided.v1', { request, outcome: 'OUTCOME_APPROVE' }, 'alice'],
    ['assent.authz.checked.v1', { tenant: 'acme', principal: 'dave', decision: 'DECISION_ALLOW' }, 'dave'],
    ['assent.grant.issued.v1', { grant: { principal: 'erin', action: 'keys.rotate' } }, 'erin'],
    ['assent.policy.updated.v1', { tenant: 'acme', policy: { id: 'p' } }, '/assent/approvals'],
    ['assent.policy.updated.v1', { tenant: 'acme', policy: { id: 'p' }, appliedBy: 'root', version: '2' }, 'root'],
    ['assent.approval.changes_requested.v1', { request, actor: 'bob', reason: 'attach the letter' }, 'bob'],
    ['assent.approval.cancelled.v1', { request, actor: 'alice', reason: 'not needed' }, 'alice'],
    ['assent.approval.vote_refused.v1', { tenant: 'acme', requestId: 'r1', principal: 'mallory', code: 'NOT_ELIGIBLE' }, 'mallory'],
    ['assent.approval.reminder.v1', { request, timer: 'reminder', notify: ['user:bob'] }, '/assent/approvals'],
    ['assent.approval.expired.v1', { request, timer: 'expiry' }, '/assent/approvals'],
    ['assent.authz.group_member_added.v1', { tenant: 'acme', group: 'security', user: 'carol', actor: 'root' }, 'root'],
    ['assent.authz.stepped_up.v1', { tenant: 'acme', session: { principal: 'bob', acr: 'mfa' } }, 'bob'],
    ['assent.approval.delegation_set.v1', { delegation: { from: 'carol', to: 'dave' }, actor: 'root' }, 'root'],
    ['assent.approval.edited.v1', { request, actor: 'bob', reason: 'lower amount' }, 'bob'],
    ['assent.approval.vote_refused.v1', { tenant: 'acme', requestId: 'r1', principal: 'bob', code: 'STEP_UP_REQUIRED' }, 'bob'],
    ['assent.approval.effective.v1', { request, timer: 'effective' }, '/assent/approvals'],
    ['assent.approval.requested.v1', { request: { requester: 42 } }, '/assent/approvals'],
    ['assent.authz.checked.v1', null, '/assent/approvals'],
    ['assent.notifier.interaction_refused.v1', { tenant: 'acme', requestId: 'r1', channel: 'slack', externalTeam: 'T1', externalUser: 'U9', attempted: 'APPROVE' }, 'slack:T1/U9'],
    ['assent.notifier.interaction_refused.v1', { tenant: 'acme', requestId: 'r1', channel: 'slack' }, '/assent/approvals'],
    ['assent.notifier.contact_changed.v1', { tenant: 'acme', principal: 'bob', channel: 'email', change: 'set', address: 'bob@acme.test', actor: 'root' }, 'root'],
  ])('%s %j → %s', (type, data, actor) => {
    expect(actorOf(sourceEvent({ type, data }))).toBe(actor);
  });
});
