import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, createClient, Status, type ClientError } from 'nice-grpc';
import { BadRequest, RichClientError } from 'nice-grpc-error-details';
import { HealthDefinition } from 'nice-grpc-server-health';
import { Webhook } from 'standardwebhooks';
import {
  connectNats,
  createGrpcClient,
  createLogger,
  EventPublisher,
  names,
  newEvent,
  openChannel,
  staticToken,
  type Channel,
  type Nats,
} from '@assent/platform';
import { deliveryv1 } from '@assent/proto';
import { cleanupNats, cleanupRedis, commonTestEnv, registerTenants, startTestIssuer, testEnv, uniqueRoot, type TestIssuer } from '@assent/testkit';
import { loadConfig } from '../src/config.js';
import { startDelivery, type RunningDelivery } from '../src/main.js';
import { Kvm } from '@nats-io/kv';
import { deliveryNames } from '../src/adapters/jetstream/delivery-names.js';
import { startWebhookReceiver, type WebhookReceiver } from '@assent/testkit';

// grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING
const SERVING = 1;
const { ATTEMPT_RESULT_SUCCEEDED: SUCCEEDED, ATTEMPT_RESULT_FAILED: FAILED } = deliveryv1.AttemptResult;

const root = uniqueRoot();
let issuer: TestIssuer;
let delivery: RunningDelivery;
let channel: Channel;
let nats: Nats;
let publisher: EventPublisher;
const receivers: WebhookReceiver[] = [];
const client = (token: string) => createGrpcClient(deliveryv1.DeliveryServiceDefinition, channel, staticToken(token));
const adminOf = async (tenant: string) => client(await issuer.token({ subject: `admin@${tenant}`, tenant, roles: ['admin'] }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function receiver(opts: Parameters<typeof startWebhookReceiver>[0] = {}): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(opts);
  receivers.push(r);
  return r;
}

/** An endpoint of `tenant` pointing at a fresh receiver that verifies with the endpoint's secret. */
async function endpointWithReceiver(tenant: string, opts: { failFirst?: number; status?: number; eventTypes?: string[] } = {}) {
  const r = await receiver(opts);
  const { endpoint } = await (await adminOf(tenant)).createEndpoint({ tenant, url: r.url, description: 'test receiver', eventTypes: opts.eventTypes ?? [] });
  if (!endpoint) throw new Error('no endpoint returned');
  r.setSecret(endpoint.secret);
  return { endpoint, receiver: r };
}

async function publishDecided(tenant: string) {
  const event = newEvent({
    type: 'assent.approval.decided.v1',
    service: 'approvals',
    subject: 'request/01J0000000000000000000REQ1',
    tenant,
    data: { request: { id: '01J0000000000000000000REQ1', tenant, action: 'payouts.change_details' }, outcome: 'OUTCOME_APPROVE', decidedBy: 'bob' },
  });
  await publisher.publish(event);
  return event;
}

async function attemptsOf(tenant: string, endpointId: string, atLeast: number): Promise<deliveryv1.Attempt[]> {
  const api = await adminOf(tenant);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { attempts } = await api.listAttempts({ tenant, endpointId, pageSize: 0 });
    if (attempts.length >= atLeast || Date.now() > deadline) return attempts;
    await sleep(50);
  }
}

function fieldsOf(err: unknown): string[] {
  expect(err).toBeInstanceOf(RichClientError);
  expect((err as ClientError).code).toBe(Status.INVALID_ARGUMENT);
  const details = (err as RichClientError).extra.find((d) => d.$type === BadRequest.$type) as BadRequest;
  return details.fieldViolations.map((v) => v.field);
}

beforeAll(async () => {
  await registerTenants(root, ['acme', 'bad-co', 'invalid-co', 'iso-acme', 'iso-globex', 'retry-co']);
  issuer = await startTestIssuer();
  delivery = await startDelivery(
    loadConfig({
      ...commonTestEnv(root, issuer),
      DELIVERY_GRPC_PORT: '0',
      DELIVERY_HTTP_PORT: '0',
      DELIVERY_ALLOW_PRIVATE_TARGETS: 'true',
      DELIVERY_RETRY_SCHEDULE_MS: '100,200',
      DELIVERY_MAX_ATTEMPTS: '4',
      DELIVERY_TIMEOUT_MS: '2000',
    }),
  );
  channel = openChannel(`127.0.0.1:${delivery.grpcPort}`);
  nats = await connectNats(testEnv.natsUrl, 'delivery-test', createLogger('delivery-test', 'silent'));
  publisher = new EventPublisher(nats.js, names(root));
});

afterAll(async () => {
  channel?.close();
  await delivery?.stop();
  await nats?.drain();
  await Promise.all(receivers.map((r) => r.close()));
  await Promise.all([issuer?.stop(), cleanupNats(root), cleanupRedis(root)]);
});

describe('delivery over gRPC and JetStream', () => {
  it('answers the standard health check anonymously and rejects calls without a token', async () => {
    const health = createClient(HealthDefinition, createChannel(`127.0.0.1:${delivery.grpcPort}`));
    expect((await health.check({ service: 'assent.delivery.v1.DeliveryService' })).status).toBe(SERVING);
    const anon = createClient(deliveryv1.DeliveryServiceDefinition, createChannel(`127.0.0.1:${delivery.grpcPort}`));
    await expect(anon.listEndpoints({ tenant: 'acme' })).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
  });

  it('delivers a published event once, signed with the endpoint secret, with the event as body', async () => {
    const { endpoint, receiver: r } = await endpointWithReceiver('acme');
    const { receiver: uninterested } = await endpointWithReceiver('acme', { eventTypes: ['assent.grant.issued.v1'] });
    expect(endpoint.secret).toMatch(/^whsec_/);

    const event = await publishDecided('acme');
    const [req] = await r.waitFor(1);
    expect(req?.method).toBe('POST');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['webhook-id']).toBe(event.id);
    expect(req?.verified).toBe(true);
    expect(new Webhook(endpoint.secret).verify(req?.body ?? '', req?.headers as Record<string, string>)).toEqual(event);
    expect(JSON.parse(req?.body ?? '')).toEqual(event);

    const attempts = await attemptsOf('acme', endpoint.id, 1);
    expect(attempts).toEqual([expect.objectContaining({ eventId: event.id, eventType: event.type, attempt: 1, result: SUCCEEDED, httpStatus: 204, error: '' })]);
    await sleep(500);
    expect(r.requests).toHaveLength(1);
    expect(uninterested.requests).toHaveLength(0);

    const listed = await (await adminOf('acme')).listEndpoints({ tenant: 'acme' });
    expect(listed.endpoints.map((e) => e.id)).toContain(endpoint.id);
    expect(listed.endpoints.every((e) => e.secret === '')).toBe(true);
  });

  it('keeps signing secrets sealed at rest: no revision in the bucket holds one in the clear', async () => {
    const { endpoint } = await endpointWithReceiver('acme');
    const secretBytes = endpoint.secret.slice('whsec_'.length);
    const kv = await new Kvm(nats.nc).open(deliveryNames(root).endpointBucket);
    const values: string[] = [];
    for await (const e of await kv.history({ key: '>' })) values.push(e.string());
    expect(values.length).toBeGreaterThan(0);
    expect(values.filter((v) => v.includes(secretBytes) || v.includes('"secret"'))).toEqual([]);
    expect(JSON.parse(values.find((v) => v.includes(endpoint.id)) ?? '{}')).toMatchObject({ id: endpoint.id, sealedSecret: expect.stringMatching(/^ey[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/) });
  });

  it('retries a receiver that fails twice and delivers on attempt 3', async () => {
    const { endpoint, receiver: r } = await endpointWithReceiver('retry-co', { failFirst: 2 });
    const event = await publishDecided('retry-co');
    const reqs = await r.waitFor(3);
    expect(reqs.map((q) => q.status)).toEqual([503, 503, 204]);
    expect(reqs.every((q) => q.verified && q.headers['webhook-id'] === event.id)).toBe(true);

    const attempts = await attemptsOf('retry-co', endpoint.id, 3);
    expect(attempts.map((a) => [a.attempt, a.result, a.httpStatus])).toEqual([
      [3, SUCCEEDED, 204],
      [2, FAILED, 503],
      [1, FAILED, 503],
    ]);
    expect(attempts[1]?.error).toBe('HTTP 503');
    const api = await adminOf('retry-co');
    expect((await api.listAttempts({ tenant: 'retry-co', endpointId: endpoint.id, pageSize: 1 })).attempts.map((a) => a.attempt)).toEqual([3]);
    expect((await api.listAttempts({ tenant: 'retry-co', endpointId: '', pageSize: 10 })).attempts).toHaveLength(3);
    await sleep(500);
    expect(r.requests).toHaveLength(3);
  });

  it('does not retry a 400 and parks the task where operators can see it', async () => {
    const { endpoint, receiver: r } = await endpointWithReceiver('bad-co', { status: 400 });
    const event = await publishDecided('bad-co');
    await r.waitFor(1);
    const attempts = await attemptsOf('bad-co', endpoint.id, 1);
    expect(attempts).toEqual([expect.objectContaining({ attempt: 1, result: FAILED, httpStatus: 400, error: 'HTTP 400 (not retried)' })]);
    await sleep(800);
    expect(r.requests).toHaveLength(1);

    const parked = await nats.jsm.streams.getMessage(names(root).dlqStream, { last_by_subj: names(root).dlq('delivery-worker') });
    expect(parked?.header.get('Assent-Dlq-Reason')).toBe('HTTP 400 (not retried)');
    expect(parked?.json<{ eventId: string; endpointId: string }>()).toMatchObject({ eventId: event.id, endpointId: endpoint.id });
    // Terminated, not left pending to be redelivered.
    await expect.poll(async () => (await nats.jsm.consumers.info(deliveryNames(root).taskStream, 'delivery-worker')).num_ack_pending, { timeout: 5_000 }).toBe(0);
  });

  it('returns INVALID_ARGUMENT with field violations and creates nothing', async () => {
    const api = await adminOf('invalid-co');
    const err = await api
      .createEndpoint({ tenant: 'invalid-co', url: 'ftp://user:pw@example.com', description: 'x'.repeat(501), eventTypes: ['approval.decided'] })
      .then(() => undefined, (e: unknown) => e);
    expect(fieldsOf(err)).toEqual(['url', 'description', 'event_types[0]']);
    expect((await api.listEndpoints({ tenant: 'invalid-co' })).endpoints).toEqual([]);
  });

  it('keeps tenants apart', async () => {
    const { endpoint: acmeEndpoint } = await endpointWithReceiver('iso-acme');
    const { receiver: globexReceiver } = await endpointWithReceiver('iso-globex');
    const globex = await adminOf('iso-globex');

    await expect(globex.listEndpoints({ tenant: 'iso-acme' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    await expect(globex.createEndpoint({ tenant: 'iso-acme', url: 'http://127.0.0.1:1/', description: '', eventTypes: [] })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    await expect(globex.listAttempts({ tenant: 'iso-acme', endpointId: acmeEndpoint.id, pageSize: 10 })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    await expect(globex.listAttempts({ tenant: 'iso-globex', endpointId: acmeEndpoint.id, pageSize: 10 })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    expect((await globex.listEndpoints({ tenant: 'iso-globex' })).endpoints.map((e) => e.id)).not.toContain(acmeEndpoint.id);

    await publishDecided('iso-acme');
    await attemptsOf('iso-acme', acmeEndpoint.id, 1);
    await sleep(300);
    expect(globexReceiver.requests).toHaveLength(0);
  });

  it('refuses endpoints and lists for a tenant that does not exist (NOT_FOUND), creating nothing', async () => {
    const ghost = await adminOf('ghost');
    await expect(ghost.createEndpoint({ tenant: 'ghost', url: 'http://127.0.0.1:1/', description: '', eventTypes: [] })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await expect(ghost.listEndpoints({ tenant: 'ghost' })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await expect(ghost.listAttempts({ tenant: 'ghost', endpointId: '', pageSize: 0 })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    // Once the tenant exists, it has no endpoint: the refused create made none.
    await registerTenants(root, ['ghost']);
    await expect.poll(async () => (await ghost.listEndpoints({ tenant: 'ghost' }).catch(() => undefined))?.endpoints, { timeout: 5_000 }).toEqual([]);
  });

  it('members may read but only admins may create endpoints', async () => {
    const member = client(await issuer.token({ subject: 'carol', tenant: 'acme' }));
    await expect(member.listEndpoints({ tenant: 'acme' })).resolves.toBeDefined();
    await expect(member.createEndpoint({ tenant: 'acme', url: 'http://127.0.0.1:1/', description: '', eventTypes: [] })).rejects.toMatchObject({
      code: Status.PERMISSION_DENIED,
    });
  });
});

describe('delivery with private targets forbidden (the production default)', () => {
  const strictRoot = uniqueRoot();
  let strict: RunningDelivery;
  let strictChannel: Channel;

  beforeAll(async () => {
    await registerTenants(strictRoot, ['acme']);
    strict = await startDelivery(loadConfig({ ...commonTestEnv(strictRoot, issuer), DELIVERY_GRPC_PORT: '0', DELIVERY_HTTP_PORT: '0' }));
    strictChannel = openChannel(`127.0.0.1:${strict.grpcPort}`);
  });
  afterAll(async () => {
    strictChannel?.close();
    await strict?.stop();
    await Promise.all([cleanupNats(strictRoot), cleanupRedis(strictRoot)]);
  });

  it.each(['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://[::ffff:127.0.0.1]/hook', 'http://169.254.169.254/latest/meta-data/'])(
    'rejects %s with INVALID_ARGUMENT on field url',
    async (url) => {
      const api = createGrpcClient(deliveryv1.DeliveryServiceDefinition, strictChannel, staticToken(await issuer.token({ subject: 'root', tenant: 'acme', roles: ['admin'] })));
      const err = await api.createEndpoint({ tenant: 'acme', url, description: '', eventTypes: [] }).then(() => undefined, (e: unknown) => e);
      expect(fieldsOf(err)).toEqual(['url']);
      expect((await api.listEndpoints({ tenant: 'acme' })).endpoints).toEqual([]);
    },
  );
});
