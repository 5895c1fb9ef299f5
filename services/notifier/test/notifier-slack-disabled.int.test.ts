import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrpcClient, openChannel, staticToken, type Channel } from '@assent/platform';
import { approvalsv1, notifierv1 } from '@assent/proto';
import { cleanupNats, cleanupRedis, commonTestEnv, registerTenants, startSlackServer, startTestIssuer, uniqueRoot, type SlackServer, type TestIssuer } from '@assent/testkit';
import { loadConfig } from '../src/config.js';
import { startNotifier, type RunningNotifier } from '../src/main.js';
import { openEventBus } from './support/event-bus.js';
import { ulidLike } from './support/fixtures.js';

const root = uniqueRoot();
let issuer: TestIssuer;
let slack: SlackServer;
let notifier: RunningNotifier;
let bus: Awaited<ReturnType<typeof openEventBus>>;
let channel: Channel;

beforeAll(async () => {
  await registerTenants(root, ['acme', 'globex']);
  [issuer, slack] = await Promise.all([startTestIssuer(), startSlackServer()]);
  // Pointed at a Slack server but without a token: Slack is off.
  notifier = await startNotifier(
    loadConfig({ ...commonTestEnv(root, issuer), NOTIFIER_GRPC_PORT: '0', NOTIFIER_HTTP_PORT: '0', NOTIFIER_SLACK_API_URL: slack.url, NOTIFIER_SLACK_TENANT: 'acme', NOTIFIER_SLACK_DEFAULT_CHANNEL: 'approvals' }),
  );
  bus = await openEventBus(root);
  channel = openChannel(`127.0.0.1:${notifier.grpcPort}`);
});

afterAll(async () => {
  channel?.close();
  await notifier?.stop();
  await bus?.close();
  await Promise.all([slack?.close(), issuer?.stop(), cleanupNats(root), cleanupRedis(root)]);
});

describe('notifier without a Slack token', () => {
  it('acknowledges approval events, sends nothing and records nothing as sent', async () => {
    const id = ulidLike();
    await bus.publish(bus.requested(id, 'approvals'));
    await bus.consumed((await bus.publish(bus.decided(id, approvalsv1.Outcome.OUTCOME_DECLINE, 'bob'))).seq);

    expect(slack.calls).toEqual([]);
    expect(await bus.lastParked()).toBeUndefined();
    const svc = createGrpcClient(notifierv1.NotifierServiceDefinition, channel, staticToken(await issuer.token({ subject: 'alice', tenant: 'acme' })));
    expect((await svc.listNotifications({ tenant: 'acme', requestId: id, pageSize: 0 })).notifications).toEqual([]);
  });
});
