import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientError } from 'nice-grpc';
import { createChannel, createClient, Status } from 'nice-grpc';
import { BadRequest, RichClientError } from 'nice-grpc-error-details';
import { createGrpcClient, openChannel, staticToken, type Channel } from '@assent/platform';
import { approvalsv1, notifierv1 } from '@assent/proto';
import { cleanupNats, cleanupRedis, commonTestEnv, registerTenants, startSlackServer, startTestIssuer, uniqueRoot, type SlackServer, type TestIssuer } from '@assent/testkit';
import { loadConfig } from '../src/config.js';
import { startNotifier, type RunningNotifier } from '../src/main.js';
import { openEventBus } from './support/event-bus.js';
import { ulidLike } from './support/fixtures.js';

const root = uniqueRoot();
const portal = 'https://assent.example.test';
let issuer: TestIssuer;
let slack: SlackServer;
let notifier: RunningNotifier;
let bus: Awaited<ReturnType<typeof openEventBus>>;
let channel: Channel;
const client = (token: string) => createGrpcClient(notifierv1.NotifierServiceDefinition, channel, staticToken(token));

interface Block {
  type: string;
  block_id?: string;
  elements?: { action_id?: string; value?: string; style?: string }[];
}
const postsAbout = (requestId: string) => slack.succeeded('chat.postMessage').filter((c) => JSON.stringify(c.body).includes(requestId));

beforeAll(async () => {
  await registerTenants(root, ['acme', 'globex']);
  [issuer, slack] = await Promise.all([startTestIssuer(), startSlackServer({ channels: ['payments-approvals', 'approvals'] })]);
  notifier = await startNotifier(
    loadConfig({
      ...commonTestEnv(root, issuer),
      NOTIFIER_GRPC_PORT: '0',
      NOTIFIER_HTTP_PORT: '0',
      NOTIFIER_SLACK_API_URL: slack.url,
      NOTIFIER_SLACK_BOT_TOKEN: slack.token,
      // acme is this install's single tenant: any channel, and the default one.
      NOTIFIER_SLACK_TENANT: 'acme',
      NOTIFIER_SLACK_CHANNELS: '*',
      NOTIFIER_SLACK_DEFAULT_CHANNEL: 'approvals',
      NOTIFIER_PORTAL_BASE_URL: portal,
    }),
  );
  bus = await openEventBus(root);
  channel = openChannel(`127.0.0.1:${notifier.grpcPort}`);
  // The boot-time auth.test must be done before tests start counting and rate-limiting calls.
  await slack.waitFor((s) => s.succeeded('auth.test').length === 1);
});

afterAll(async () => {
  channel?.close();
  await notifier?.stop();
  await bus?.close();
  await Promise.all([slack?.close(), issuer?.stop(), cleanupNats(root), cleanupRedis(root)]);
});

describe('notifier: approval events → Slack', () => {
  const requestId = ulidLike();
  let original: { channel: string; ts: string };

  it('posts one interactive message to the policy channel, even when the event comes again', async () => {
    const event = bus.requested(requestId, '#payments-approvals');
    await bus.publish(event);
    await slack.waitFor(() => postsAbout(requestId).length > 0);
    expect((await bus.publish(event)).duplicate).toBe(true);
    await bus.consumed(await bus.republish(event));

    const posts = postsAbout(requestId);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body['channel']).toBe('#payments-approvals');
    const [message, ...others] = slack.messages.get(slack.channelId('payments-approvals')) ?? [];
    expect(others).toEqual([]);
    const actions = (message?.blocks as Block[]).find((b) => b.type === 'actions');
    expect(actions?.elements?.map((e) => [e.action_id, e.value, e.style])).toEqual([
      ['approve', `acme/${requestId}`, 'primary'],
      ['decline', `acme/${requestId}`, 'danger'],
      ['request_changes', `acme/${requestId}`, undefined],
      ['comment', `acme/${requestId}`, undefined],
    ]);
    expect(JSON.stringify(message?.blocks)).toContain(`<${portal}/requests/acme/${requestId}|${requestId}>`);
    expect(JSON.stringify(message?.blocks)).toContain('&lt;!channel&gt;');
    expect(message?.text).toContain(requestId);
    original = { channel: message?.channel ?? '', ts: message?.ts ?? '' };
  });

  it('updates that message with the outcome when decided, and replies in its thread', async () => {
    await bus.publish(bus.decided(requestId, approvalsv1.Outcome.OUTCOME_APPROVE, 'bob'));
    await slack.waitFor((s) => s.succeeded('chat.update').length === 1 && postsAbout('Approved by').length === 1);

    expect(slack.succeeded('chat.update')[0]?.body).toMatchObject({ channel: original.channel, ts: original.ts });
    const [updated, reply] = slack.messages.get(original.channel) ?? [];
    expect(updated).toMatchObject({ ts: original.ts, edited: true });
    expect((updated?.blocks as Block[]).some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(updated?.blocks)).toContain('*Approved* by *bob*');
    expect(reply).toMatchObject({ threadTs: original.ts, text: ':white_check_mark: Approved by *bob*.' });
  });

  it('retries a rate-limited post after Retry-After and posts once', async () => {
    const id = ulidLike();
    slack.rateLimitNext(1);
    const seq = (await bus.publish(bus.requested(id, ''))).seq;
    await slack.waitFor(() => postsAbout(id).length === 1);
    await bus.consumed(seq);

    const attempts = slack.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.body).includes(id));
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    expect(postsAbout(id)[0]?.body['channel']).toBe('approvals');
    expect(postsAbout(id)).toHaveLength(1);
  });

  it('parks a request for a channel Slack does not know, after one attempt, where an operator sees it', async () => {
    const id = ulidLike();
    const event = bus.requested(id, 'ghost-channel');
    await bus.publish(event);
    const parked = await bus.parked(event.id);

    expect(parked['Assent-Dlq-Reason']).toContain('channel_not_found');
    expect(parked['Assent-Dlq-Deliveries']).toBe('1');
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage' && c.body['channel'] === 'ghost-channel').map((c) => c.error)).toEqual(['channel_not_found']);
  });

  it('lists the request\'s notifications over gRPC to its tenant, and to no one else', async () => {
    const alice = client(await issuer.token({ subject: 'alice', tenant: 'acme' }));
    const { notifications } = await alice.listNotifications({ tenant: 'acme', requestId, pageSize: 0 });
    expect(notifications.map((n) => n.eventType)).toEqual(['assent.approval.decided.v1', 'assent.approval.requested.v1']);
    const requestedNote = notifications[1];
    expect(requestedNote).toMatchObject({
      tenant: 'acme',
      channel: notifierv1.Channel.CHANNEL_SLACK,
      destination: '#payments-approvals',
      requestId,
      providerRef: `${original.channel}:${original.ts}`,
    });
    expect(requestedNote?.sentAt).toBeInstanceOf(Date);

    const mallory = client(await issuer.token({ subject: 'mallory', tenant: 'globex' }));
    await expect(mallory.listNotifications({ tenant: 'acme', requestId, pageSize: 0 })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    expect((await mallory.listNotifications({ tenant: 'globex', requestId, pageSize: 0 })).notifications).toEqual([]);
    const anon = createClient(notifierv1.NotifierServiceDefinition, createChannel(`127.0.0.1:${notifier.grpcPort}`));
    await expect(anon.listNotifications({ tenant: 'acme', requestId, pageSize: 0 })).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
  });

  it('answers NOT_FOUND for a tenant that does not exist, not an empty list', async () => {
    const ghost = client(await issuer.token({ subject: 'alice', tenant: 'ghost' }));
    await expect(ghost.listNotifications({ tenant: 'ghost', requestId: '', pageSize: 0 })).rejects.toMatchObject({ code: Status.NOT_FOUND });
  });

  it('answers bad input with INVALID_ARGUMENT naming the fields', async () => {
    const svc = client(await issuer.token({ subject: 'alice', tenant: 'acme' }));
    const err = await svc.listNotifications({ tenant: 'Bad Tenant', requestId: 'nope', pageSize: 0 }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RichClientError);
    expect((err as ClientError).code).toBe(Status.INVALID_ARGUMENT);
    const violations = (err as RichClientError).extra.find((d) => d.$type === BadRequest.$type) as BadRequest;
    expect(violations.fieldViolations.map((v) => v.field)).toEqual(['tenant', 'request_id']);
  });

  it('serves the portal placeholder the messages link to', async () => {
    const res = await fetch(`http://127.0.0.1:${notifier.httpPort}/requests/acme/${requestId}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(requestId);
    expect((await fetch(`http://127.0.0.1:${notifier.httpPort}/readyz`)).status).toBe(200);
  });
});
