import { describe, expect, it } from 'vitest';
import { PoisonMessageError, RetryLaterError, createLogger, newEvent } from '@assent/platform';
import { approvalsv1, eventsv1 } from '@assent/proto';
import { DeliveryRejectedError, DeliveryRetryableError } from '../src/domain/errors.js';
import { handleApprovalEvent } from '../src/transport/nats/approval-event-handler.js';
import { memoryDeps, ulidLike } from './support/fixtures.js';

const logger = createLogger('test', 'silent');

function requestedEvent(opts: { tenant?: string; dataTenant?: string; slackChannel?: string } = {}) {
  const tenant = opts.tenant ?? 'acme';
  const request = approvalsv1.ApprovalRequest.fromPartial({ id: ulidLike(), tenant: opts.dataTenant ?? tenant, action: 'keys.rotate', resource: 'key/1', requester: 'alice', quorum: 1 });
  return newEvent({
    type: 'assent.approval.requested.v1',
    service: 'approvals',
    subject: `request/${request.id}`,
    tenant,
    data: eventsv1.ApprovalRequested.toJSON({ request, slackChannel: opts.slackChannel ?? 'approvals' }),
  });
}

const json = (e: unknown) => JSON.stringify(e);

describe('approval event handler', () => {
  it('posts for assent.approval.requested.v1 and acks events it has nothing to say about', async () => {
    const { deps, slack } = memoryDeps();
    expect(await handleApprovalEvent(deps, logger, json(requestedEvent()))).toMatchObject({ status: 'sent' });
    const reminder = newEvent({ type: 'assent.approval.reminder.v1', service: 'approvals', subject: 'request/x', tenant: 'acme', data: {} });
    expect(await handleApprovalEvent(deps, logger, json(reminder))).toBeUndefined();
    expect(slack.posted).toHaveLength(1);
  });

  it('maps the decided outcome by enum name', async () => {
    const { deps, slack } = memoryDeps({ defaultSlackChannel: 'approvals' });
    const request = approvalsv1.ApprovalRequest.fromPartial({ id: ulidLike(), tenant: 'acme', action: 'keys.rotate', resource: 'key/1', requester: 'alice' });
    const event = newEvent({
      type: 'assent.approval.decided.v1',
      service: 'approvals',
      subject: `request/${request.id}`,
      tenant: 'acme',
      data: eventsv1.ApprovalDecided.toJSON(eventsv1.ApprovalDecided.fromPartial({ request, outcome: approvalsv1.Outcome.OUTCOME_DECLINE, decidedBy: 'carol' })),
    });
    expect(json(event)).toContain('"OUTCOME_DECLINE"');
    await handleApprovalEvent(deps, logger, json(event));
    expect(slack.posted[0]?.text).toContain('Declined');
  });

  it.each([
    ['not JSON', () => '{nope'],
    ['not a CloudEvent', () => json({ hello: 'world' })],
    ['a payload for another tenant', () => json(requestedEvent({ tenant: 'acme', dataTenant: 'globex' }))],
    ['a malformed channel', () => json(requestedEvent({ slackChannel: '<!channel>' }))],
  ])('parks %s at once', async (_name, payload) => {
    const { deps, slack } = memoryDeps();
    await expect(handleApprovalEvent(deps, logger, payload())).rejects.toBeInstanceOf(PoisonMessageError);
    expect(slack.posted).toEqual([]);
  });

  it('parks what Slack rejects for good (channel_not_found, invalid_auth)', async () => {
    const { deps, slack } = memoryDeps();
    await expect(handleApprovalEvent(deps, logger, json(requestedEvent({ slackChannel: 'no-such-channel' })))).rejects.toThrow(PoisonMessageError);
    slack.failNext(new DeliveryRejectedError('slack', 'invalid_auth'));
    await expect(handleApprovalEvent(deps, logger, json(requestedEvent()))).rejects.toThrow(/invalid_auth/);
  });

  it('hands a rate-limited message back with Retry-After as the redelivery delay; other transient errors use the schedule', async () => {
    const { deps, slack } = memoryDeps();
    slack.failNext(new DeliveryRetryableError('slack', 'ratelimited', 1000), new DeliveryRetryableError('slack', 'internal_error', undefined));
    const limited = await handleApprovalEvent(deps, logger, json(requestedEvent())).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryLaterError);
    expect((limited as RetryLaterError).delayMs).toBe(1000);
    const transient = await handleApprovalEvent(deps, logger, json(requestedEvent())).catch((e: unknown) => e);
    expect(transient).toBeInstanceOf(DeliveryRetryableError);
    expect(transient).not.toBeInstanceOf(PoisonMessageError);
    expect(slack.posted).toHaveLength(0);
  });
});
