import { describe, expect, it } from 'vitest';
import { MemorySlackUserDirectory } from '../src/adapters/memory/slack-interaction.js';
import { notifyApprovalChanged } from '../src/domain/commands/notify-approval-changed.js';
import { notifyApprovalRequested } from '../src/domain/commands/notify-approval-requested.js';
import type { SlackBlock } from '../src/domain/slack/blocks.js';
import type { RequestChange } from '../src/domain/slack/request-change.js';
import { memoryDeps, requestView, ulidLike } from './support/fixtures.js';

const event = (type: string) => ({ id: ulidLike(), type });
const buttons = (blocks: SlackBlock[] | undefined) => (blocks ?? []).flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.action_id) : []));
const text = (blocks: SlackBlock[] | undefined) => JSON.stringify(blocks ?? []);

async function posted(opts: Parameters<typeof memoryDeps>[0] = {}, overrides: Parameters<typeof requestView>[0] = {}) {
  const m = memoryDeps(opts);
  const r = requestView({ state: 'PENDING', ...overrides });
  await notifyApprovalRequested(m.deps, event('assent.approval.requested.v1'), { request: r, slackChannel: 'approvals' });
  return { ...m, r, original: m.slack.posted[0] };
}

describe('every change updates the request message', () => {
  const open = ['approve', 'decline', 'request_changes', 'comment'];
  it.each<[string, RequestChange, string, { state?: string }, string[], string | undefined]>([
    ['a vote short of quorum', { kind: 'voted', by: 'bob', outcome: 'APPROVE', reason: 'ok' }, 'bob* voted approve', {}, open, undefined],
    ['changes requested', { kind: 'changes_requested', by: 'carol', reason: 'wrong IBAN' }, 'carol* asked the requester for changes: wrong IBAN', { state: 'CHANGES_REQUESTED' }, [], 'wrong IBAN'],
    ['a resubmission', { kind: 'resubmitted', by: 'alice', reason: 'fixed' }, 'alice* resubmitted the request', {}, open, 'resubmitted'],
    ['a comment', { kind: 'commented', by: 'dave', reason: 'who is the vendor?' }, 'dave* commented: who is the vendor?', {}, open, 'who is the vendor?'],
    ['a cancellation', { kind: 'cancelled', by: 'alice', reason: 'not needed' }, '*Cancelled* by *alice*', { state: 'CANCELLED' }, [], 'Cancelled'],
    ['expiry', { kind: 'expired' }, '*Expired*', { state: 'EXPIRED' }, [], 'Expired'],
    ['an escalation', { kind: 'escalated', tier: 2 }, 'Escalated (tier 2)', {}, open, undefined],
    ['a handoff', { kind: 'reassigned', by: 'bob', reason: 'on leave' }, 'bob* handed the request on: on leave', {}, open, undefined],
    ['a snooze', { kind: 'snoozed', by: 'bob', reason: 'until 2030-01-02T09:00:00Z' }, 'bob* snoozed it', {}, open, undefined],
    ['the decision', { kind: 'decided', outcome: 'APPROVE', by: 'carol' }, '*Approved* by *carol*', { state: 'APPROVED' }, [], 'Approved by'],
  ])('%s: the message says so, buttons only while approvers can act, a thread reply when people should hear', async (_name, change, says, state, wantButtons, reply) => {
    const { deps, slack, r, original } = await posted();
    const votes = change.kind === 'voted' ? [{ approver: 'bob', outcome: 'APPROVE', onBehalfOf: '' }] : [];
    const result = await notifyApprovalChanged(deps, event(`assent.approval.${change.kind}.v1`), { request: { ...r, ...state, votes }, change });
    expect(result.status).toBe('sent');
    expect(slack.updated).toHaveLength(1);
    expect(slack.updated[0]).toMatchObject({ channel: original?.channel, ts: original?.ts });
    const current = slack.messages(original?.channel ?? '').find((m) => m.ts === original?.ts);
    expect(text(current?.blocks)).toContain(says);
    expect(buttons(current?.blocks)).toEqual(wantButtons);
    const replies = slack.posted.filter((m) => m.threadTs === original?.ts);
    if (reply) expect(replies.map((m) => m.text).join()).toContain(reply);
    else expect(replies).toEqual([]);
  });

  it('shows the votes so far (N of M and who) and the due time', async () => {
    const { deps, slack, r, original } = await posted({}, { quorum: 2, dueAt: new Date('2030-01-02T09:30:00Z') });
    const votes = [
      { approver: 'bob', outcome: 'APPROVE', onBehalfOf: '' },
      { approver: 'erin', outcome: 'COMMENT', onBehalfOf: 'carol' },
    ];
    await notifyApprovalChanged(deps, event('assent.approval.voted.v1'), { request: { ...r, votes }, change: { kind: 'voted', by: 'bob', outcome: 'APPROVE', reason: '' } });
    const blocks = text(slack.messages(original?.channel ?? '')[0]?.blocks);
    expect(blocks).toContain('*Votes*\\n1 of 2 approvals: :white_check_mark: bob, :speech_balloon: erin (for carol)');
    expect(blocks).toContain('*Due*\\n<!date^1893576600^{date_short_pretty} {time}|2030-01-02 09:30 UTC>');
  });

  it('under a step-up policy Approve is a portal link, never an approving button', async () => {
    const { slack, r } = await posted({}, { requireStepUpToApprove: true });
    const actions = slack.posted[0]?.blocks?.find((b) => b.type === 'actions');
    const elements = actions?.type === 'actions' ? actions.elements : [];
    expect(elements.map((e) => e.action_id)).toEqual(['approve_in_portal', 'decline', 'request_changes', 'comment']);
    expect(elements[0]).toMatchObject({ url: `https://assent.example.test/requests/acme/${r.id}` });
    expect(elements[0]?.value).toBeUndefined();
  });

  it('is idempotent per event: a redelivery sends nothing more', async () => {
    const { deps, slack, r } = await posted();
    const e = event('assent.approval.commented.v1');
    const change: RequestChange = { kind: 'commented', by: 'dave', reason: 'hm' };
    await notifyApprovalChanged(deps, e, { request: r, change });
    const again = await notifyApprovalChanged(deps, e, { request: r, change });
    expect(again.status).toBe('duplicate');
    expect(slack.updated).toHaveLength(1);
    expect(slack.posted.filter((m) => m.threadTs)).toHaveLength(1);
  });
});

describe('the requester hears the outcome directly', () => {
  it('a DM to the Slack user the tenant links the requester to, once per event', async () => {
    const users = new MemorySlackUserDirectory();
    await users.set('acme', 'T0ACME', 'U0ALICE', 'alice');
    const { deps, slack, r } = await posted({ slackUsers: users });
    const e = event('assent.approval.decided.v1');
    const change: RequestChange = { kind: 'decided', outcome: 'DECLINE', by: 'carol' };
    await notifyApprovalChanged(deps, e, { request: { ...r, state: 'DECLINED' }, change });
    await notifyApprovalChanged(deps, e, { request: { ...r, state: 'DECLINED' }, change });
    const dms = slack.posted.filter((m) => m.channel === 'D0ALICE');
    expect(dms).toHaveLength(1);
    expect(text(dms[0]?.blocks)).toContain('was *declined* by *carol*');
  });

  it('an unlinked requester is reported as unreachable; the channel message is still updated', async () => {
    const { deps, slack, r } = await posted({ slackUsers: new MemorySlackUserDirectory() });
    const result = await notifyApprovalChanged(deps, event('assent.approval.expired.v1'), { request: { ...r, state: 'EXPIRED' }, change: { kind: 'expired' } });
    expect(result).toMatchObject({ status: 'sent', unreachable: ['requester alice (no Slack user linked)'] });
    expect(slack.updated).toHaveLength(1);
  });
});

describe('routing per tenant', () => {
  it("posts only to a channel of the tenant's own record; another channel is refused and posted nowhere", async () => {
    const { deps, slack } = memoryDeps({ channels: ['globex-approvals', 'approvals'], tenantChannels: { globex: { channels: ['globex-approvals'], defaultChannel: undefined } } });
    const mine = requestView({ tenant: 'globex' });
    expect(await notifyApprovalRequested(deps, event('assent.approval.requested.v1'), { request: mine, slackChannel: '#globex-approvals' })).toMatchObject({ status: 'sent' });
    const theirs = await notifyApprovalRequested(deps, event('assent.approval.requested.v1'), { request: requestView({ tenant: 'globex' }), slackChannel: 'approvals' });
    expect(theirs).toMatchObject({ status: 'skipped', reason: expect.stringContaining("the policy's Slack channel approvals is not among tenant globex's Slack channels") });
    expect(slack.posted.map((m) => m.channel)).toEqual([slack.channelId('globex-approvals')]);
  });

  it('a tenant with no record and not the install tenant is never posted, not even to the default channel', async () => {
    const { deps, slack } = memoryDeps({ defaultSlackChannel: 'approvals' });
    const result = await notifyApprovalRequested(deps, event('assent.approval.requested.v1'), { request: requestView({ tenant: 'globex' }), slackChannel: '' });
    expect(result).toMatchObject({ status: 'skipped', reason: expect.stringContaining('tenant globex has no Slack channels') });
    expect(slack.posted).toEqual([]);
  });

  it("a tenant's own record wins over the install's deploy-time channels", async () => {
    const { deps, slack } = memoryDeps({ defaultSlackChannel: 'approvals', tenantChannels: { acme: { channels: [], defaultChannel: 'payments-approvals' } } });
    await notifyApprovalRequested(deps, event('assent.approval.requested.v1'), { request: requestView(), slackChannel: '' });
    expect((await notifyApprovalRequested(deps, event('assent.approval.requested.v1'), { request: requestView(), slackChannel: 'approvals' })).status).toBe('skipped');
    expect(slack.posted.map((m) => m.channel)).toEqual([slack.channelId('payments-approvals')]);
  });
});
