/**
 * A Redis outage must not count as webhook attempts. The delivery worker numbers an
 * HTTP attempt by the task's JetStream delivery count; while Redis is down the
 * finished-task lookup fails before any POST. The consumer once naked the task for
 * that, raising the delivery count at every backoff step, so after the outage one
 * transient 5xx "gave up after N attempts" and parked the task. Now the consumer
 * waits for the dedupe store in place.
 *
 * Here: DELIVERY_MAX_ATTEMPTS=3, a receiver that answers 503, Redis down long
 * enough for 3+ lookups. Expected: the first 503 is attempt 1 and is retried.
 */
import { afterAll, expect, it } from 'vitest';
import { createGrpcClient, openChannel, staticToken } from '@assent/platform';
import { approvalsv1, authzv1, deliveryv1 } from '@assent/proto';
import { startNatsServer, startOpenFga, startRedisServer, startTestIssuer, startWebhookReceiver, uniqueRoot } from '@assent/testkit';
import { startPlatform, type ServiceName } from './support/platform.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

it('a Redis outage does not count as webhook attempts (the first HTTP failure after it is retried, not parked)', async () => {
  const root = uniqueRoot();
  const [redis, nats, fga, issuer, hooks] = await Promise.all([startRedisServer(), startNatsServer(), startOpenFga(), startTestIssuer(), startWebhookReceiver({ status: 503 })]);
  cleanups.push(() => redis.stop(), () => nats.stop(), () => fga.stop(), () => issuer.stop(), () => hooks.close());
  const platform = await startPlatform({
    root,
    replicas: 1,
    natsUrl: nats.url,
    redisUrl: redis.url,
    openFgaEnv: fga.authzEnv,
    issuer,
    env: { delivery: { DELIVERY_MAX_ATTEMPTS: '3', DELIVERY_RETRY_SCHEDULE_MS: '1000' } },
  });
  cleanups.push(() => platform.stop());
  const as = async <D extends Parameters<typeof createGrpcClient>[0]>(d: D, service: ServiceName, subject: string, roles: string[] = []) => {
    const channel = openChannel(platform.addr(service));
    cleanups.push(async () => channel.close());
    return createGrpcClient(d, channel, staticToken(await issuer.token({ subject, tenant: 'acme', roles })));
  };
  const admin = await as(authzv1.AuthzServiceDefinition, 'authz', 'root', ['platform-admin']);
  await admin.createTenant({ id: 'acme', displayName: 'Acme' });
  for (const u of ['alice', 'bob']) await admin.addTenantMember({ tenant: 'acme', user: u });
  await (await as(approvalsv1.ApprovalsServiceDefinition, 'approvals', 'root', ['admin'])).putPolicy({
    tenant: 'acme',
    policy: { id: 'p', action: 'payouts.change_details', approvers: ['user:bob'], quorum: 1, allowSelfApproval: false, requireJustification: false, grantDurationSeconds: '600', slackChannel: '', hash: '' },
  });
  await (await as(deliveryv1.DeliveryServiceDefinition, 'delivery', 'root', ['admin'])).createEndpoint({ tenant: 'acme', url: hooks.url, description: '', eventTypes: ['assent.approval.decided.v1'] });
  const alice = await as(approvalsv1.ApprovalsServiceDefinition, 'approvals', 'alice');
  const bob = await as(approvalsv1.ApprovalsServiceDefinition, 'approvals', 'bob');
  const request = (await alice.createRequest({ tenant: 'acme', action: 'payouts.change_details', resource: 'account/1', justification: '', idempotencyKey: '' })).request;

  await redis.stop();
  await bob.approve({ tenant: 'acme', id: request?.id ?? '', comment: 'verified' });
  // The worker's finished-task lookup fails while Redis is down: longer than several
  // backoff steps (0.25, 1, 5, 15 s), each of which used to cost a delivery attempt.
  await new Promise((r) => setTimeout(r, 25_000));
  expect(hooks.requests).toHaveLength(0);
  await redis.start();

  // The receiver's first 503 must be attempt 1 of 3 and be retried about a second later.
  await expect.poll(() => hooks.requests.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  expect((await platform.nats.jsm.streams.info(`${root.toUpperCase()}_DLQ`)).state.messages).toBe(0);
}, 150_000);
