/**
 * Runtime at scale, the proof: three replicas of every service under mixed load
 * (approvals, declines, approvers racing each other, duplicate votes), with one
 * replica of each service stopped midway and started again. Once every consumer is
 * idle: one terminal state and one decided event per request, each event exactly
 * once in a chain that verifies, every decision delivered by webhook with a stable
 * webhook-id, no Slack message left with live buttons, nothing parked.
 * Redis and NATS are private servers with a user per service (Redis: only its own
 * keys; NATS: only its own subjects and streams), so the run also shows the platform
 * needs no more than those least privileges.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status } from 'nice-grpc';
import { RichClientError, type RetryInfo } from 'nice-grpc-error-details';
import { DeliverPolicy } from '@nats-io/jetstream';
import { createGrpcClient, names, openChannel, parseEvent, staticToken, type AssentEvent, type Channel } from '@assent/platform';
import { approvalsv1, auditv1, authzv1, deliveryv1 } from '@assent/proto';
import {
  startOpenFga,
  startNatsServer,
  startRedisServer,
  startSlackServer,
  startTestIssuer,
  startWebhookReceiver,
  uniqueRoot,
  type RunningOpenFga,
  type RunningNatsServer,
  type RunningRedisServer,
  type SlackServer,
  type TestIssuer,
  type WebhookReceiver,
} from '@assent/testkit';
import { serviceOrder, startPlatform, type Platform } from './support/platform.js';

const root = uniqueRoot();
const n = names(root);
const tenant = 'acme';
const DECIDED = 'assent.approval.decided.v1';
const REQUESTS = 150;
const CONCURRENCY = 16;
/** Request i starts no earlier than i × PACE_MS after the load starts (~15 s in all). */
const PACE_MS = 100;
/** The receiver answers its first deliveries 503, so some events are redelivered. */
const WEBHOOK_FAILURES = 20;
const THROTTLED = 'throttled';
const THROTTLED_RATE = 5;
const THROTTLED_BURST = 10;
const { APPROVED, DECLINED } = { APPROVED: approvalsv1.RequestState.REQUEST_STATE_APPROVED, DECLINED: approvalsv1.RequestState.REQUEST_STATE_DECLINED };

let fga: RunningOpenFga | undefined;
let redis: RunningRedisServer | undefined;
let nats: RunningNatsServer | undefined;
let issuer: TestIssuer | undefined;
let slack: SlackServer | undefined;
let hooks: WebhookReceiver | undefined;
let platform: Platform | undefined;
const channels: Channel[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const codeOf = (err: unknown): Status | undefined => (err as { code?: Status }).code;

function approvalsAs(subject: string, roles: string[] = []) {
  const p = platform as Platform;
  const channel = openChannel(p.addr('approvals'));
  channels.push(channel);
  return (issuer as TestIssuer)
    .token({ subject, tenant, roles, ttlSeconds: 3_600 })
    .then((t) => createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, staticToken(t)));
}

/**
 * Retries a call that hit a replica going away (UNAVAILABLE, or CANCELLED while it
 * drains), bounded; other errors are the call's answer. `retried` tells the caller
 * a FAILED_PRECONDITION may be the echo of its own earlier, unanswered success.
 */
async function call<T>(fn: () => Promise<T>): Promise<{ ok: T } | { err: Status | undefined; message: string; retried: boolean }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return { ok: await fn() };
    } catch (err) {
      const code = codeOf(err);
      if ((code === Status.UNAVAILABLE || code === Status.CANCELLED) && attempt < 50) {
        await sleep(100);
        continue;
      }
      return { err: code, message: (err as Error).message, retried: attempt > 0 };
    }
  }
}

/** Every message on the events stream matching `filter`, read with an ordered consumer (bounded). */
async function readEvents(filter: string): Promise<AssentEvent[]> {
  const { nats } = platform as Platform;
  const info = await nats.jsm.streams.info(n.eventsStream, { subjects_filter: filter });
  const expected = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
  const consumer = await nats.js.consumers.get(n.eventsStream, { filter_subjects: filter, deliver_policy: DeliverPolicy.All });
  const events: AssentEvent[] = [];
  const deadline = Date.now() + 20_000;
  while (events.length < expected && Date.now() < deadline) {
    const batch = await consumer.fetch({ max_messages: expected - events.length, expires: 2_000 });
    for await (const m of batch) events.push(parseEvent(m.data));
  }
  expect(events, `events on ${filter}`).toHaveLength(expected);
  return events;
}

beforeAll(async () => {
  [fga, issuer, slack, hooks, redis, nats] = await Promise.all([
    startOpenFga(),
    startTestIssuer(),
    startSlackServer(),
    startWebhookReceiver({ failFirst: WEBHOOK_FAILURES }),
    startRedisServer({ acl: { root } }),
    startNatsServer({ auth: { root } }),
  ]);
  const acl = redis;
  const natsAuth = nats;
  platform = await startPlatform({
    root,
    replicas: 3,
    redisUrlFor: (service) => acl.urlFor(service),
    natsUrl: natsAuth.url,
    natsUrlFor: (service) => natsAuth.urlFor(service),
    openFgaEnv: fga.authzEnv,
    issuer,
    slackUrl: slack.url,
    slackToken: slack.token,
    env: {
      delivery: { DELIVERY_RETRY_SCHEDULE_MS: '200,500,1000' },
      // A tight write limit for one tenant only (the load above runs on the defaults).
      approvals: { ASSENT_RATE_LIMITS: JSON.stringify({ tenants: { [THROTTLED]: { write: { tenant: { perSecond: THROTTLED_RATE, burst: THROTTLED_BURST } } } } }) },
    },
  });
}, 90_000);

afterAll(async () => {
  channels.forEach((c) => c.close());
  await platform?.stop();
  await Promise.allSettled([fga?.stop(), issuer?.stop(), slack?.close(), hooks?.close(), redis?.stop(), nats?.stop()]);
}, 60_000);

describe('three replicas of every service under mixed load', () => {
  it('decides each request once, audits each event once, delivers every decision and leaves no live buttons', async () => {
    const p = platform as Platform;
    const iss = issuer as TestIssuer;
    const sl = slack as SlackServer;
    const wh = hooks as WebhookReceiver;

    // Tenant, members, policy (Slack channel on the local server), webhook endpoint for decisions.
    const authzChannel = openChannel(p.addr('authz'));
    const deliveryChannel = openChannel(p.addr('delivery'));
    const auditChannel = openChannel(p.addr('audit'));
    channels.push(authzChannel, deliveryChannel, auditChannel);
    const platformAdmin = createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, staticToken(await iss.token({ subject: 'root', roles: ['platform-admin'] })));
    await platformAdmin.createTenant({ id: tenant, displayName: 'Acme' });
    for (const user of ['alice', 'erin', 'bob', 'carol', 'dave']) await platformAdmin.addTenantMember({ tenant, user });
    const admin = await approvalsAs('root', ['admin']);
    await admin.putPolicy({
      tenant,
      policy: { id: 'payouts', action: 'payouts.change_details', approvers: ['user:bob', 'user:carol', 'user:dave'], quorum: 1, allowSelfApproval: false, requireJustification: false, grantDurationSeconds: '600', slackChannel: 'C0PAYOUTS', hash: '' },
    });
    const tenantAdminToken = staticToken(await iss.token({ subject: 'root', tenant, roles: ['admin'] }));
    const delivery = createGrpcClient(deliveryv1.DeliveryServiceDefinition, deliveryChannel, tenantAdminToken);
    const { endpoint } = await delivery.createEndpoint({ tenant, url: `${wh.url}/assent`, description: 'decisions', eventTypes: [DECIDED] });
    wh.setSecret(endpoint?.secret ?? '');

    const requesters = [await approvalsAs('alice'), await approvalsAs('erin')];
    const bob = await approvalsAs('bob');
    const carol = await approvalsAs('carol');
    const dave = await approvalsAs('dave');

    // Mixed load. Each request gets one scenario; what every call answered is kept.
    type Scenario = 'approve' | 'decline' | 'race' | 'duplicate';
    const scenarioOf = (i: number): Scenario => (['approve', 'approve', 'decline', 'race', 'approve', 'duplicate', 'approve', 'race', 'approve', 'decline'] as const)[i % 10] ?? 'approve';
    const created = new Map<string, Scenario>();
    const reported = new Map<string, Set<approvalsv1.RequestState>>();
    const unexpected: string[] = [];
    const vote = async (id: string, who: typeof bob, how: 'approve' | 'decline', contested: boolean) => {
      const r = await call(() => (how === 'approve' ? who.approve({ tenant, id, comment: 'verified' }) : who.decline({ tenant, id, comment: 'not expected' })));
      if ('ok' in r) {
        const s = r.ok.request?.state;
        if (s === APPROVED || s === DECLINED) reported.get(id)?.add(s);
        return;
      }
      // Losing a race (or our own unanswered success seen again) is FAILED_PRECONDITION; anything else is a bug.
      if (r.err === Status.FAILED_PRECONDITION && (contested || r.retried)) return;
      unexpected.push(`${how} ${id}: ${String(r.err)} ${r.message}`);
    };
    const one = async (i: number) => {
      const requester = requesters[i % 2] ?? requesters[0];
      const opened = await call(() => (requester as typeof bob).createRequest({ tenant, action: 'payouts.change_details', resource: `acct/${i}`, justification: `load ${i}`, idempotencyKey: `load-${i}` }));
      if (!('ok' in opened) || !opened.ok.request) {
        unexpected.push(`create ${i}: ${'err' in opened ? `${String(opened.err)} ${opened.message}` : 'no request'}`);
        return;
      }
      const id = opened.ok.request.id;
      const scenario = scenarioOf(i);
      created.set(id, scenario);
      reported.set(id, new Set());
      switch (scenario) {
        case 'approve':
          return vote(id, bob, 'approve', false);
        case 'decline':
          return vote(id, carol, 'decline', false);
        case 'race':
          await Promise.all([vote(id, bob, 'approve', true), vote(id, carol, 'decline', true)]);
          return;
        case 'duplicate':
          await Promise.all([vote(id, bob, 'approve', true), vote(id, bob, 'approve', true), vote(id, dave, 'approve', true)]);
          return;
      }
    };

    const started = Date.now();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < REQUESTS; i = next++) {
        const wait = started + i * PACE_MS - Date.now();
        if (wait > 0) await sleep(wait);
        await one(i);
      }
    };
    // A rolling restart during the load: each replica of each service in turn stops
    // (graceful) and comes back on its port, so whichever replica holds an exclusive
    // consumer's lease loses it once, and callers fall back to the other replicas.
    const restarts = (async () => {
      const step = (REQUESTS * PACE_MS) / 5;
      for (let i = 0; i < 3; i++) {
        await sleep(step);
        await Promise.all(serviceOrder.map((s) => p.stopReplica(s, i)));
        await sleep(step / 2);
        for (const s of serviceOrder) await p.startReplica(s, i);
      }
    })();
    await Promise.all([...Array.from({ length: CONCURRENCY }, worker), restarts]);
    expect(unexpected).toEqual([]);
    expect(created.size).toBe(REQUESTS);

    // Settle: every durable consumer of this root has acknowledged everything.
    await expect
      .poll(async () => Object.entries(await p.consumerBacklog()).filter(([, v]) => v > 0), { timeout: 45_000, interval: 250 })
      .toEqual([]);

    // 1. Exactly one terminal state per request, agreeing with what the callers were told,
    //    and exactly one decided event per request carrying that outcome.
    const finalState = new Map<string, approvalsv1.RequestState>();
    for (const id of created.keys()) {
      const r = await call(() => bob.getRequest({ tenant, id }));
      finalState.set(id, 'ok' in r ? (r.ok.request?.state ?? approvalsv1.RequestState.REQUEST_STATE_UNSPECIFIED) : approvalsv1.RequestState.REQUEST_STATE_UNSPECIFIED);
    }
    for (const [id, scenario] of created) {
      const s = finalState.get(id);
      expect([APPROVED, DECLINED], `state of ${id} (${scenario})`).toContain(s);
      if (scenario === 'approve' || scenario === 'duplicate') expect(s, `${id} (${scenario})`).toBe(APPROVED);
      if (scenario === 'decline') expect(s, `${id} (${scenario})`).toBe(DECLINED);
      expect([...(reported.get(id) ?? [])].filter((x) => x !== s), `calls on ${id} (${scenario}) reported another outcome`).toEqual([]);
    }
    const decided = await readEvents(n.event(tenant, 'approval', 'decided'));
    const decidedByRequest = new Map<string, AssentEvent[]>();
    for (const e of decided) decidedByRequest.set(e.subject.replace('request/', ''), [...(decidedByRequest.get(e.subject.replace('request/', '')) ?? []), e]);
    expect([...decidedByRequest.keys()].sort()).toEqual([...created.keys()].sort());
    for (const [id, events] of decidedByRequest) {
      expect(events.length, `decided events of ${id}`).toBe(1);
      const outcome = (events[0]?.data as { outcome?: string }).outcome;
      expect(outcome, `outcome of ${id}`).toBe(finalState.get(id) === APPROVED ? 'OUTCOME_APPROVE' : 'OUTCOME_DECLINE');
    }

    // 2. Each of the tenant's events exactly once in its audit chain, and the chain verifies.
    const tenantEvents = await readEvents(`${root}.evt.${tenant}.>`);
    const streamIds = tenantEvents.map((e) => e.id);
    expect(new Set(streamIds).size, 'event ids on the stream are unique').toBe(streamIds.length);
    const audit = createGrpcClient(auditv1.AuditServiceDefinition, auditChannel, tenantAdminToken);
    const audited: string[] = [];
    for (let token = '', pages = 0; pages < 100; pages++) {
      const page = await audit.listRecords({ tenant, eventType: '', subject: '', pageSize: 500, pageToken: token });
      audited.push(...page.records.map((r) => r.eventId));
      token = page.nextPageToken;
      if (!token) break;
    }
    const dupes = audited.filter((id, i) => audited.indexOf(id) !== i);
    expect(dupes, 'event ids audited more than once').toEqual([]);
    expect([...audited].sort()).toEqual([...streamIds].sort());
    const verified = await audit.verifyChain({ tenant });
    expect(verified).toMatchObject({ valid: true });
    expect(Number(verified.records)).toBe(audited.length);

    // 3. Every decision reached the webhook, signed, and redeliveries kept their webhook-id.
    const decidedIds = new Set(decided.map((e) => e.id));
    await expect.poll(() => new Set(wh.requests.filter((r) => r.status < 300).map((r) => (JSON.parse(r.body) as { id: string }).id)).size, { timeout: 15_000 }).toBe(decidedIds.size);
    const webhookIds = new Map<string, Set<string>>();
    for (const r of wh.requests) {
      expect(r.verified, `signature of delivery ${String(r.headers['webhook-id'])}`).toBe(true);
      const body = JSON.parse(r.body) as { id: string; type: string };
      expect(body.type).toBe(DECIDED);
      expect(decidedIds.has(body.id), `delivered event ${body.id} is a decided event of this tenant`).toBe(true);
      webhookIds.set(body.id, (webhookIds.get(body.id) ?? new Set()).add(String(r.headers['webhook-id'])));
    }
    for (const [eventId, ids] of webhookIds) expect([...ids], `webhook-ids of event ${eventId}`).toHaveLength(1);
    expect(wh.requests.filter((r) => r.status === 503)).toHaveLength(WEBHOOK_FAILURES);

    // 4. Slack: one announcement per request, its buttons gone once decided, posted before it was updated.
    const channelId = sl.channelId('C0PAYOUTS');
    const topLevel = (sl.messages.get(channelId) ?? []).filter((m) => m.threadTs === undefined);
    const hasButtons = (blocks: unknown[] | undefined) => (blocks ?? []).some((b) => (b as { type?: string }).type === 'actions');
    for (const id of created.keys()) {
      const about = topLevel.filter((m) => m.text.includes(`(request ${id})`));
      expect(about.length, `top-level Slack messages about ${id}`).toBe(1);
      const msg = about[0];
      expect(msg?.edited, `message about ${id} updated`).toBe(true);
      expect(hasButtons(msg?.blocks), `message about ${id} still has buttons`).toBe(false);
      const calls = sl.calls.filter((c) => c.status === 200 && !c.error);
      const firstPost = calls.findIndex((c) => c.method === 'chat.postMessage' && !c.body['thread_ts'] && String(c.body['text']).includes(`(request ${id})`));
      const updates = calls.map((c, i) => ({ c, i })).filter(({ c }) => c.method === 'chat.update' && c.body['ts'] === msg?.ts);
      expect(firstPost, `post about ${id}`).toBeGreaterThanOrEqual(0);
      expect(updates.length, `updates of ${id}`).toBeGreaterThan(0);
      expect(firstPost, `post of ${id} before its update`).toBeLessThan(updates[0]?.i ?? -1);
      expect(hasButtons(updates.at(-1)?.c.body['blocks'] as unknown[] | undefined), `latest update of ${id} has buttons`).toBe(false);
    }

    // 5. Nothing parked.
    const dlq = await p.nats.jsm.streams.info(n.dlqStream).catch(() => undefined);
    expect(dlq?.state.messages ?? 0, 'messages in the DLQ').toBe(0);

    // 6. Least privilege was enough: Redis refused no service anything (ACL LOG is empty),
    //    and NATS refused no service a subject or a stream (its log has no violation).
    expect(await redis?.aclDenials()).toEqual([]);
    expect(await nats?.permissionViolations()).toEqual([]);
  }, 150_000);

  it('holds a tenant’s rate limit in sum across the three replicas, with retry info', async () => {
    const p = platform as Platform;
    const channel = openChannel(p.addr('approvals'));
    channels.push(channel);
    const token = await (issuer as TestIssuer).token({ subject: 'mallory', tenant: THROTTLED, ttlSeconds: 600 });
    const mallory = createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, staticToken(token));
    const RUN_MS = 3_000;
    const started = Date.now();
    let admitted = 0;
    const retryAfterMs: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (Date.now() - started < RUN_MS) {
          try {
            await mallory.createRequest({ tenant: THROTTLED, action: 'payouts.change_details', resource: 'acct/1', justification: 'flood', idempotencyKey: '' });
            admitted++;
          } catch (err) {
            if (codeOf(err) !== Status.RESOURCE_EXHAUSTED) {
              // Admitted, and answered by the handler (the tenant does not exist).
              admitted++;
              continue;
            }
            const info = (err instanceof RichClientError ? err.extra : []).find((d): d is RetryInfo => d.$type === 'google.rpc.RetryInfo');
            retryAfterMs.push(Number(info?.retryDelay?.seconds ?? 0) * 1000 + (info?.retryDelay?.nanos ?? 0) / 1e6);
            await sleep(10);
          }
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    // One bucket for the three replicas: the burst plus the refill, not three times that.
    expect(admitted).toBeGreaterThanOrEqual(THROTTLED_BURST);
    expect(admitted).toBeLessThanOrEqual(THROTTLED_BURST + Math.ceil(THROTTLED_RATE * seconds) + 1);
    expect(retryAfterMs.length).toBeGreaterThan(0);
    expect(retryAfterMs.every((ms) => ms > 0 && ms <= 1000 / THROTTLED_RATE)).toBe(true);
    // Every replica refused some of the flood (each enforces the shared bucket).
    for (const r of p.replicas.approvals) {
      const text = await (await fetch(`http://127.0.0.1:${r.httpPort}/metrics`)).text();
      expect(text, `approvals replica ${r.index} refused calls`).toMatch(/assent_rate_limited_total\{[^}]*scope="write per tenant"[^}]*\} [1-9]/);
    }
    // Another tenant's users are not held back by it.
    const bob = await approvalsAs('bob');
    await expect(bob.listRequests({ tenant, state: approvalsv1.RequestState.REQUEST_STATE_UNSPECIFIED, pageSize: 1, pageToken: '' })).resolves.toBeDefined();
  }, 30_000);
});
