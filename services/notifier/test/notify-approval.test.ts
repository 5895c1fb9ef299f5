import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@assent/platform';
import { notifyApprovalDecided } from '../src/domain/commands/notify-approval-decided.js';
import { notifyApprovalRequested } from '../src/domain/commands/notify-approval-requested.js';
import { DeliveryRejectedError, DeliveryRetryableError } from '../src/domain/errors.js';
import type { NotificationRepository } from '../src/domain/ports.js';
import { memoryDeps, requestView, ulidLike } from './support/fixtures.js';

const requested = () => ({ id: ulidLike(), type: 'assent.approval.requested.v1' });
const decided = () => ({ id: ulidLike(), type: 'assent.approval.decided.v1' });

describe('notify-approval-requested', () => {
  it('posts once to the policy channel and records it; a redelivery posts nothing', async () => {
    const { deps, slack, notifications } = memoryDeps({ defaultSlackChannel: 'approvals' });
    const r = requestView();
    const event = requested();
    const first = await notifyApprovalRequested(deps, event, { request: r, slackChannel: '#payments-approvals' });
    const again = await notifyApprovalRequested(deps, event, { request: r, slackChannel: '#payments-approvals' });

    expect(slack.posted).toHaveLength(1);
    expect(slack.posted[0]?.channel).toBe(slack.channelId('payments-approvals'));
    expect(first.status).toBe('sent');
    expect(again.status).toBe('duplicate');
    const [n] = await notifications.list('acme', { requestId: r.id, limit: 10 });
    expect(n).toMatchObject({ channel: 'SLACK', destination: '#payments-approvals', eventId: event.id, providerRef: `${slack.posted[0]?.channel}:${slack.posted[0]?.ts}` });
    expect(again.status === 'duplicate' && again.notifications[0]?.id).toBe(n?.id);
  });

  it('uses the default channel when the policy names none', async () => {
    const { deps, slack } = memoryDeps({ defaultSlackChannel: 'approvals' });
    await notifyApprovalRequested(deps, requested(), { request: requestView(), slackChannel: '' });
    expect(slack.posted.map((m) => m.channel)).toEqual([slack.channelId('approvals')]);
  });

  it('skips without recording when Slack is off or there is no channel', async () => {
    const off = memoryDeps({ slack: false, defaultSlackChannel: 'approvals' });
    const r = requestView();
    expect(await notifyApprovalRequested(off.deps, requested(), { request: r, slackChannel: 'approvals' })).toMatchObject({ status: 'skipped', reason: expect.stringContaining('NOTIFIER_SLACK_BOT_TOKEN') });
    expect(await off.notifications.list('acme', { limit: 10 })).toEqual([]);

    const nowhere = memoryDeps();
    expect(await notifyApprovalRequested(nowhere.deps, requested(), { request: r, slackChannel: '' })).toMatchObject({ status: 'skipped' });
    expect(nowhere.slack.posted).toEqual([]);
    expect(await nowhere.notifications.list('acme', { limit: 10 })).toEqual([]);
  });

  it('records nothing when Slack fails, so the retry posts', async () => {
    const { deps, slack, notifications } = memoryDeps();
    const r = requestView();
    const event = requested();
    slack.failNext(new DeliveryRetryableError('slack', 'ratelimited', 1000));
    await expect(notifyApprovalRequested(deps, event, { request: r, slackChannel: 'approvals' })).rejects.toBeInstanceOf(DeliveryRetryableError);
    expect(await notifications.list('acme', { limit: 10 })).toEqual([]);
    expect((await notifyApprovalRequested(deps, event, { request: r, slackChannel: 'approvals' })).status).toBe('sent');
    expect(slack.posted).toHaveLength(1);
  });

  it('refuses events it can never handle, naming the fields', async () => {
    const { deps, slack } = memoryDeps();
    const err = await notifyApprovalRequested(deps, requested(), { request: requestView({ tenant: 'Bad Tenant', id: 'nope' }), slackChannel: '<!channel>' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).violations.map((v) => v.field)).toEqual(['request.tenant', 'request.id', 'slack_channel']);
    expect(slack.posted).toEqual([]);
  });

  it('does not post buttons for a request whose decision was already announced', async () => {
    const { deps, slack } = memoryDeps({ defaultSlackChannel: 'approvals' });
    const r = requestView();
    await notifyApprovalDecided(deps, decided(), { request: r, outcome: 'APPROVE', decidedBy: 'bob' });
    const late = await notifyApprovalRequested(deps, requested(), { request: r, slackChannel: 'approvals' });
    expect(late).toMatchObject({ status: 'skipped', reason: expect.stringContaining('already decided') });
    expect(slack.posted).toHaveLength(1);
  });
});

describe('notify-approval-decided', () => {
  it('updates the original message (same channel and ts), replies in its thread, once', async () => {
    const { deps, slack, notifications, tick } = memoryDeps();
    const r = requestView();
    await notifyApprovalRequested(deps, requested(), { request: r, slackChannel: 'payments-approvals' });
    const original = slack.posted[0];
    tick();
    const event = decided();
    const result = await notifyApprovalDecided(deps, event, { request: r, outcome: 'DECLINE', decidedBy: 'carol' });
    await notifyApprovalDecided(deps, event, { request: r, outcome: 'DECLINE', decidedBy: 'carol' });

    expect(result.status).toBe('sent');
    expect(slack.updated).toHaveLength(1);
    expect(slack.updated[0]).toMatchObject({ channel: original?.channel, ts: original?.ts });
    expect(slack.updated[0]?.blocks?.some((b) => b.type === 'actions')).toBe(false);
    const replies = slack.posted.filter((m) => m.threadTs);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ channel: original?.channel, threadTs: original?.ts, text: ':x: Declined by *carol*.' });
    const listed = await notifications.list('acme', { requestId: r.id, limit: 10 });
    expect(listed.map((n) => n.eventType)).toEqual(['assent.approval.decided.v1', 'assent.approval.requested.v1']);
    expect(listed[0]?.providerRef).toBe(`${replies[0]?.channel}:${replies[0]?.ts}`);
  });

  it('posts a new message to the default channel when no original is known, or when it was deleted', async () => {
    const { deps, slack } = memoryDeps({ defaultSlackChannel: 'approvals' });
    await notifyApprovalDecided(deps, decided(), { request: requestView(), outcome: 'APPROVE', decidedBy: 'bob' });
    expect(slack.posted).toHaveLength(1);
    expect(slack.posted[0]?.channel).toBe(slack.channelId('approvals'));
    expect(slack.posted[0]?.threadTs).toBeUndefined();
    expect(slack.posted[0]?.text).toContain('Approved');

    const r = requestView();
    await notifyApprovalRequested(deps, requested(), { request: r, slackChannel: 'payments-approvals' });
    slack.failNext(new DeliveryRejectedError('slack', 'message_not_found'));
    await notifyApprovalDecided(deps, decided(), { request: r, outcome: 'APPROVE', decidedBy: 'bob' });
    expect(slack.posted.at(-1)?.channel).toBe(slack.channelId('payments-approvals'));
    expect(slack.posted.at(-1)?.threadTs).toBeUndefined();
    expect(slack.posted.at(-1)?.text).toContain('Approved');
  });

  it('skips when nothing is known and there is no default channel; refuses an unknown outcome', async () => {
    const { deps, slack } = memoryDeps();
    expect((await notifyApprovalDecided(deps, decided(), { request: requestView(), outcome: 'APPROVE', decidedBy: 'bob' })).status).toBe('skipped');
    await expect(notifyApprovalDecided(deps, decided(), { request: requestView(), outcome: undefined, decidedBy: 'bob' })).rejects.toMatchObject({
      violations: [{ field: 'outcome', description: expect.any(String) }],
    });
    expect(slack.posted).toEqual([]);
  });

  it('propagates a channel the bot was removed from as a rejection', async () => {
    const { deps, slack } = memoryDeps();
    const r = requestView();
    await notifyApprovalRequested(deps, requested(), { request: r, slackChannel: 'approvals' });
    slack.failNext(new DeliveryRejectedError('slack', 'not_in_channel'));
    await expect(notifyApprovalDecided(deps, decided(), { request: r, outcome: 'APPROVE', decidedBy: 'bob' })).rejects.toMatchObject({ code: 'not_in_channel' });
  });
});

describe('repository round trips per event', () => {
  it('one read and one write per message sent; a redelivery only reads', async () => {
    const { deps } = memoryDeps();
    const calls: string[] = [];
    const repo = deps.notifications;
    const notifications: NotificationRepository = {
      forRequest: (t, id) => (calls.push('read'), repo.forRequest(t, id)),
      add: (n, basis) => (calls.push('write'), repo.add(n, basis)),
      list: (t, opts) => (calls.push('list'), repo.list(t, opts)),
    };
    const counted = { ...deps, notifications };
    const r = requestView();
    const event = requested();
    await notifyApprovalRequested(counted, event, { request: r, slackChannel: 'approvals' });
    expect(calls.splice(0)).toEqual(['read', 'write']);
    await notifyApprovalRequested(counted, event, { request: r, slackChannel: 'approvals' });
    expect(calls.splice(0)).toEqual(['read']);
    await notifyApprovalDecided(counted, decided(), { request: r, outcome: 'APPROVE', decidedBy: 'bob' });
    expect(calls.splice(0)).toEqual(['read', 'write']);
  });
});
