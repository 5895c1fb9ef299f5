// The notifier against the local Slack-compatible server with the official client:
// every state change of a request edits its message (chat.update), the requester gets
// a DM, Slack's 429s and 5xx delay messages without losing one, and a tenant's message
// never goes to a channel that is not its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, newEvent, type AssentEvent } from '@assent/platform';
import { approvalsv1, eventsv1 } from '@assent/proto';
import { cleanupNats, cleanupRedis, commonTestEnv, registerTenants, startSlackServer, startTestIssuer, uniqueRoot, type SlackServer, type TestIssuer } from '@assent/testkit';
import { KvSlackChannelDirectory, openSlackChannelBucket } from '../src/adapters/jetstream/slack-channel-directory.js';
import { KvSlackUserDirectory, openSlackUserBucket } from '../src/adapters/jetstream/slack-user-directory.js';
import { loadConfig } from '../src/config.js';
import { startNotifier, type RunningNotifier } from '../src/main.js';
import { openEventBus } from './support/event-bus.js';
import { ulidLike } from './support/fixtures.js';

const root = uniqueRoot();
let issuer: TestIssuer | undefined;
let slack: SlackServer;
let notifier: RunningNotifier | undefined;
let bus: Awaited<ReturnType<typeof openEventBus>> | undefined;
let channels: KvSlackChannelDirectory | undefined;
const { PENDING, APPROVED, CHANGES_REQUESTED } = {
  PENDING: approvalsv1.RequestState.REQUEST_STATE_PENDING,
  APPROVED: approvalsv1.RequestState.REQUEST_STATE_APPROVED,
  CHANGES_REQUESTED: approvalsv1.RequestState.REQUEST_STATE_CHANGES_REQUESTED,
};

const request = (tenant: string, id: string, overrides: Partial<approvalsv1.ApprovalRequest> = {}) =>
  approvalsv1.ApprovalRequest.fromPartial({ id, tenant, action: 'payouts.change_details', resource: 'acct/1', requester: 'alice', justification: 'new bank', state: PENDING, policyId: 'p', approvers: ['user:bob', 'user:carol'], quorum: 2, ...overrides });
const ev = (tenant: string, id: string, kind: string, data: unknown): AssentEvent => newEvent({ type: `assent.approval.${kind}.v1`, service: 'approvals', subject: `request/${id}`, tenant, data });
const requested = (tenant: string, id: string, slackChannel: string) => ev(tenant, id, 'requested', eventsv1.ApprovalRequested.toJSON({ request: request(tenant, id), slackChannel }));
const acted = (id: string, kind: string, actor: string, reason: string, overrides: Partial<approvalsv1.ApprovalRequest> = {}) =>
  ev('acme', id, kind, eventsv1.ApprovalActed.toJSON(eventsv1.ApprovalActed.fromPartial({ request: request('acme', id, overrides), actor, reason })));
const postsAbout = (id: string) => slack.succeeded('chat.postMessage').filter((c) => JSON.stringify(c.body).includes(id) && !c.body['thread_ts']);

beforeAll(async () => {
  await registerTenants(root, ['acme', 'globex']);
  [issuer, slack] = await Promise.all([startTestIssuer(), startSlackServer({ channels: ['approvals', 'globex-approvals', 'acme-private'] })]);
  notifier = await startNotifier(
    loadConfig({
      ...commonTestEnv(root, issuer),
      NOTIFIER_GRPC_PORT: '0',
      NOTIFIER_HTTP_PORT: '0',
      NOTIFIER_SLACK_API_URL: slack.url,
      NOTIFIER_SLACK_BOT_TOKEN: slack.token,
      // acme is the install's own tenant, allowed one channel; globex has a record of its own.
      NOTIFIER_SLACK_TENANT: 'acme',
      NOTIFIER_SLACK_CHANNELS: 'approvals',
      // Faster than Slack's own limit so the test is quick; the pacing itself is unit-tested.
      NOTIFIER_SLACK_CHANNEL_RATE: '50',
      NOTIFIER_SLACK_CHANNEL_BURST: '5',
    }),
  );
  bus = await openEventBus(root);
  await new KvSlackUserDirectory(await openSlackUserBucket(bus.nats.nc, root)).set('acme', 'T0ACME', 'U0ALICE', 'alice');
  channels = await KvSlackChannelDirectory.open(await openSlackChannelBucket(bus.nats.nc, root), createLogger('test', 'silent'));
  await channels.setChannels('globex', { channels: ['globex-approvals'], defaultChannel: undefined });
  await slack.waitFor((s) => s.succeeded('auth.test').length === 1);
}, 30_000);

afterAll(async () => {
  await channels?.stop();
  await notifier?.stop();
  await bus?.close();
  await Promise.allSettled([slack?.close(), issuer?.stop(), cleanupNats(root), cleanupRedis(root)]);
});

describe('notifier: a request message that is never stale', () => {
  it('edits the message on every change, ends without buttons, and tells the requester by DM', async () => {
    const b = bus!;
    const id = ulidLike();
    await b.publish(requested('acme', id, 'approvals'));
    await slack.waitFor(() => postsAbout(id).length === 1);
    const original = slack.messages.get(slack.channelId('approvals'))?.find((m) => m.text.includes(id));
    const vote = approvalsv1.Vote.fromPartial({ approver: 'bob', outcome: approvalsv1.Outcome.OUTCOME_APPROVE, comment: 'ok' });
    await b.publish(ev('acme', id, 'voted', eventsv1.ApprovalVoted.toJSON(eventsv1.ApprovalVoted.fromPartial({ request: request('acme', id, { votes: [vote] }), vote }))));
    await b.publish(acted(id, 'commented', 'carol', 'which vendor?', { votes: [vote] }));
    await b.publish(acted(id, 'changes_requested', 'carol', 'wrong IBAN', { state: CHANGES_REQUESTED, votes: [vote] }));
    await b.publish(acted(id, 'resubmitted', 'alice', 'fixed IBAN'));
    await b.publish(
      ev('acme', id, 'decided', eventsv1.ApprovalDecided.toJSON(eventsv1.ApprovalDecided.fromPartial({ request: request('acme', id, { state: APPROVED }), outcome: approvalsv1.Outcome.OUTCOME_APPROVE, decidedBy: 'carol' }))),
    );
    const dm = slack.dmChannel('U0ALICE');
    await slack.waitFor((s) => (s.messages.get(dm) ?? []).some((m) => m.text.startsWith('Approved')), 15_000);

    const updates = slack.succeeded('chat.update').filter((c) => c.body['ts'] === original?.ts);
    expect(updates.map((c) => String(c.body['text']).split(':')[0])).toEqual(['Vote recorded', 'Comment', 'Changes requested', 'Resubmitted', 'Approved']);
    const buttonsOf = (c: { body: Record<string, unknown> }) => (JSON.stringify(c.body['blocks']).match(/"action_id":"(\w+)"/g) ?? []).length;
    // Buttons while approvers can act (after the vote, the comment, the resubmission), none while it is with the requester or over.
    expect(updates.map(buttonsOf)).toEqual([4, 4, 0, 4, 0]);
    expect(JSON.stringify(updates[0]?.body['blocks'])).toContain('1 of 2 approvals: :white_check_mark: bob');
    const now = slack.messages.get(slack.channelId('approvals'))?.find((m) => m.ts === original?.ts);
    expect(now?.edited).toBe(true);
    expect(JSON.stringify(now?.blocks)).toContain('*Approved* by *carol*');
    // The requester heard both moves that were theirs to hear: changes asked for, and the outcome.
    expect((slack.messages.get(dm) ?? []).map((m) => m.text.split(':')[0])).toEqual(['Changes requested', 'Approved']);
  }, 30_000);

  it('Slack answering 429 and 5xx for a while delays messages and loses none; each is posted once', async () => {
    const b = bus!;
    slack.fault('mixed', 1_500);
    const ids = Array.from({ length: 8 }, () => ulidLike());
    for (const id of ids) await b.publish(requested('acme', id, 'approvals'));
    await slack.waitFor(() => ids.every((id) => postsAbout(id).length > 0), 60_000);
    expect(ids.map((id) => postsAbout(id).length)).toEqual(ids.map(() => 1));
    expect(slack.calls.filter((c) => c.status === 429).length).toBeGreaterThan(0);
    expect(slack.calls.filter((c) => c.status >= 500).length).toBeGreaterThan(0);
  }, 90_000);

  it("never posts a tenant's request to a channel that is not its own; its own channel works", async () => {
    const b = bus!;
    const intoAcmes = ulidLike();
    const notAllowed = ulidLike();
    const own = ulidLike();
    const refused = [requested('globex', intoAcmes, 'approvals'), requested('acme', notAllowed, 'acme-private')];
    for (const e of refused) await b.publish(e);
    const last = await b.publish(requested('globex', own, '#globex-approvals'));
    await b.consumed(last.seq);
    expect(postsAbout(own).map((c) => c.body['channel'])).toEqual(['#globex-approvals']);
    expect(postsAbout(intoAcmes)).toEqual([]);
    expect(postsAbout(notAllowed)).toEqual([]);
    // Refused, not parked: nothing for an operator to replay into a channel that is not the tenant's.
    expect(refused.map((e) => e.id)).not.toContain((await b.lastParked())?.['ce-id']);
  }, 30_000);
});
