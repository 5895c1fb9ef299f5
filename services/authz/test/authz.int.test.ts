import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientError } from 'nice-grpc';
import { createChannel, createClient, Status } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
// grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING
const SERVING = 1;
import { BadRequest, RichClientError } from 'nice-grpc-error-details';
import { connectNats, createGrpcClient, createLogger, names, openChannel, staticToken, type Channel } from '@assent/platform';
import { authzv1, eventsv1 } from '@assent/proto';
import { OpenFgaClient } from '@openfga/sdk';
import { cleanupNats, cleanupRedis, commonTestEnv, startOpenFga, startTestIssuer, testEnv, uniqueRoot, type RunningOpenFga, type TestIssuer } from '@assent/testkit';
import { loadConfig } from '../src/config.js';
import { startAuthz, type RunningAuthz } from '../src/main.js';

const root = uniqueRoot();
let fga: RunningOpenFga;
let issuer: TestIssuer;
let authz: RunningAuthz;
let channel: Channel;
const client = (token: string) => createGrpcClient(authzv1.AuthzServiceDefinition, channel, staticToken(token));
const policy = { id: 'payouts', hash: 'a'.repeat(64) };

beforeAll(async () => {
  [fga, issuer] = await Promise.all([startOpenFga(), startTestIssuer()]);
  authz = await startAuthz(
    loadConfig({ ...commonTestEnv(root, issuer), AUTHZ_GRPC_PORT: '0', AUTHZ_HTTP_PORT: '0', ...fga.authzEnv, AUTHZ_OPENFGA_STORE_NAME: root }),
  );
  channel = openChannel(`127.0.0.1:${authz.grpcPort}`);
});

afterAll(async () => {
  channel?.close();
  await authz?.stop();
  await Promise.all([fga?.stop(), issuer?.stop(), cleanupNats(root), cleanupRedis(root)]);
});

describe('authz over gRPC', () => {
  it('answers the standard health check anonymously', async () => {
    const health = createClient(HealthDefinition, createChannel(`127.0.0.1:${authz.grpcPort}`));
    const res = await health.check({ service: 'assent.authz.v1.AuthzService' });
    expect(res.status).toBe(SERVING);
  });

  it('rejects calls without a valid token', async () => {
    const anon = createClient(authzv1.AuthzServiceDefinition, createChannel(`127.0.0.1:${authz.grpcPort}`));
    await expect(anon.listProtectedActions({ tenant: 'acme' })).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    await expect(client('not-a-jwt').listProtectedActions({ tenant: 'acme' })).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
  });

  it('walks NEEDS_APPROVAL → grant → ALLOW, DENY for non-members, NOT_FOUND for an unknown tenant, INVALID_ARGUMENT for an unregistered action', async () => {
    const admin = client(await issuer.token({ subject: 'root', roles: ['platform-admin'] }));
    const svc = client(await issuer.token({ subject: 'service:approvals', audience: 'assent:authz' }));
    const alice = client(await issuer.token({ subject: 'alice', tenant: 'acme' }));
    const mallory = client(await issuer.token({ subject: 'mallory', tenant: 'acme' }));

    expect((await admin.createTenant({ id: 'acme', displayName: 'Acme' })).created).toBe(true);
    expect((await admin.createTenant({ id: 'acme', displayName: 'Acme' })).created).toBe(false);
    await admin.addTenantMember({ tenant: 'acme', user: 'alice' });
    await svc.registerProtectedAction({ tenant: 'acme', action: 'payouts.change_details', policy, approvers: ['user:bob'] });

    const req = { tenant: 'acme', principal: '', action: 'payouts.change_details', resource: 'payout-account/42' };
    const first = await alice.check(req);
    expect(first.decision).toBe(authzv1.Decision.DECISION_NEEDS_APPROVAL);
    expect(first.policy).toEqual(policy);
    expect(first.modelId).toBe(authz.modelId);
    expect(first.reason).toContain('needs an approval');

    expect((await mallory.check(req)).decision).toBe(authzv1.Decision.DECISION_DENY);
    expect((await svc.checkApprover({ tenant: 'acme', principal: 'bob', action: 'payouts.change_details' })).allowed).toBe(true);
    expect((await svc.checkApprover({ tenant: 'acme', principal: 'alice', action: 'payouts.change_details' })).allowed).toBe(false);

    await expect(alice.writeGrant({ tenant: 'acme', principal: 'alice', action: 'payouts.change_details', resource: 'payout-account/42', durationSeconds: '600', requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    const { grant } = await svc.writeGrant({ tenant: 'acme', principal: 'alice', action: 'payouts.change_details', resource: 'payout-account/42', durationSeconds: '600', requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA' });
    const after = await alice.check(req);
    expect(after.decision).toBe(authzv1.Decision.DECISION_ALLOW);
    expect(after.grantExpiresAt?.toISOString()).toBe(grant?.expiresAt?.toISOString());
    expect((await alice.check({ ...req, resource: 'payout-account/43' })).decision).toBe(authzv1.Decision.DECISION_NEEDS_APPROVAL);

    await expect(alice.check({ ...req, action: 'nope.nope' })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: expect.stringContaining('action: "nope.nope" is not a registered action') });
    const other = client(await issuer.token({ subject: 'alice', tenant: 'ghost' }));
    await expect(other.check({ ...req, tenant: 'ghost' })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await expect(alice.check({ ...req, tenant: 'ghost' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
  });

  it('writes one identical grant when WriteGrant is retried for a request', async () => {
    const admin = client(await issuer.token({ subject: 'root', roles: ['platform-admin'] }));
    const svc = client(await issuer.token({ subject: 'service:approvals', audience: 'assent:authz' }));
    await admin.createTenant({ id: 'retry', displayName: 'Retry' });
    await admin.addTenantMember({ tenant: 'retry', user: 'alice' });
    await svc.registerProtectedAction({ tenant: 'retry', action: 'keys.rotate', policy, approvers: ['user:bob'] });
    const decidedAt = new Date(Date.now() - 5_000);
    const write = { tenant: 'retry', principal: 'alice', action: 'keys.rotate', resource: 'key/1', durationSeconds: '600', requestId: '01JBBBBBBBBBBBBBBBBBBBBBBB', grantedAt: decidedAt };
    const first = await svc.writeGrant(write);
    await new Promise((r) => setTimeout(r, 20));
    const second = await svc.writeGrant(write);
    expect(first.grant?.grantedAt?.toISOString()).toBe(decidedAt.toISOString());
    expect(second.grant?.expiresAt?.toISOString()).toBe(first.grant?.expiresAt?.toISOString());
    expect(first.grant?.expiresAt?.toISOString()).toBe(new Date(decidedAt.getTime() + 600_000).toISOString());

    const fgaClient = new OpenFgaClient(fga.clientConfig({ storeId: authz.storeId }));
    const tuples = (await fgaClient.read({ user: 'user:alice', relation: 'grantee', object: 'grant:' })).tuples.filter((t) => t.key.object.startsWith('grant:retry/'));
    expect(tuples).toHaveLength(1);
    expect(tuples[0]?.key.condition?.context).toEqual({ grant_start: decidedAt.toISOString(), grant_duration: '600s' });
  });

  it('explains from OpenFGA itself: an expired grant with its window, an active one, a missing membership', async () => {
    const admin = client(await issuer.token({ subject: 'root', roles: ['platform-admin'] }));
    const svc = client(await issuer.token({ subject: 'service:approvals', audience: 'assent:authz' }));
    const carol = client(await issuer.token({ subject: 'carol', tenant: 'explain' }));
    await admin.createTenant({ id: 'explain', displayName: 'Explain' });
    await admin.addTenantMember({ tenant: 'explain', user: 'carol' });
    await svc.registerProtectedAction({ tenant: 'explain', action: 'keys.rotate', policy, approvers: ['user:bob'] });
    const started = new Date(Date.now() - 7_200_000);
    await svc.writeGrant({ tenant: 'explain', principal: 'carol', action: 'keys.rotate', resource: 'key/old', durationSeconds: '3600', requestId: '01JCCCCCCCCCCCCCCCCCCCCCCC', grantedAt: started });
    const ended = new Date(started.getTime() + 3_600_000);
    const expired = await carol.explain({ tenant: 'explain', principal: '', action: 'keys.rotate', resource: 'key/old' });
    expect(expired).toMatchObject({ decision: authzv1.Decision.DECISION_NEEDS_APPROVAL, grantStartsAt: started, grantEndsAt: ended, modelId: authz.modelId });
    expect(expired.reason).toBe(`grant expired at ${ended.toISOString()} (it ran from ${started.toISOString()} until ${ended.toISOString()}); OpenFGA stops counting it then`);
    expect((await carol.check({ tenant: 'explain', principal: '', action: 'keys.rotate', resource: 'key/old' })).decision).toBe(expired.decision);
    await svc.writeGrant({ tenant: 'explain', principal: 'carol', action: 'keys.rotate', resource: 'key/new', durationSeconds: '600', requestId: '01JDDDDDDDDDDDDDDDDDDDDDDD' });
    expect((await carol.explain({ tenant: 'explain', principal: '', action: 'keys.rotate', resource: 'key/new' })).decision).toBe(authzv1.Decision.DECISION_ALLOW);
    const outsider = await svc.explain({ tenant: 'explain', principal: 'mallory', action: 'keys.rotate', resource: 'key/new' });
    expect(outsider.decision).toBe(authzv1.Decision.DECISION_DENY);
    expect(outsider.facts.find((f) => f.name === 'tenant_member')).toMatchObject({ holds: false, detail: expect.stringContaining('missing relation: user:mallory') });
  });

  it('protects under a condition end to end: ALLOW below, NEEDS_APPROVAL above naming it, ALLOW until a short grant ends and not after, each decision audited', async () => {
    const admin = client(await issuer.token({ subject: 'root', roles: ['platform-admin'] }));
    const svc = client(await issuer.token({ subject: 'service:approvals', audience: 'assent:authz' }));
    const dana = client(await issuer.token({ subject: 'dana', tenant: 'cond' }));
    await admin.createTenant({ id: 'cond', displayName: 'Conditions' });
    await admin.addTenantMember({ tenant: 'cond', user: 'dana' });
    const conditions = [
      { name: 'large', when: 'context.amount > 10000' },
      { name: 'medium', when: 'context.amount > 1000' },
    ];
    const registered = await svc.registerProtectedAction({ tenant: 'cond', action: 'refunds.issue', policy, approvers: ['user:bob'], conditions });
    expect(registered.protectedAction).toMatchObject({ conditions, version: 1 });
    const ask = (amount: number, consistency = authzv1.Consistency.CONSISTENCY_UNSPECIFIED) =>
      dana.check({ tenant: 'cond', principal: '', action: 'refunds.issue', resource: 'refund/77', context: { amount }, consistency });

    const below = await ask(999);
    expect(below).toMatchObject({ decision: authzv1.Decision.DECISION_ALLOW, matchedCondition: undefined });
    const medium = await ask(5_000);
    expect(medium).toMatchObject({ decision: authzv1.Decision.DECISION_NEEDS_APPROVAL, matchedCondition: conditions[1], policy });
    // Approved under "medium" for two seconds.
    const { grant } = await svc.writeGrant({ tenant: 'cond', principal: 'dana', action: 'refunds.issue', resource: 'refund/77', durationSeconds: '2', requestId: '01JEEEEEEEEEEEEEEEEEEEEEEE', condition: 'medium' });
    expect(grant?.condition).toBe('medium');
    const allowed = await ask(5_000);
    expect(allowed).toMatchObject({ decision: authzv1.Decision.DECISION_ALLOW, matchedCondition: conditions[1] });
    expect(allowed.grantExpiresAt?.toISOString()).toBe(grant?.expiresAt?.toISOString());
    expect((await ask(5_000, authzv1.Consistency.CONSISTENCY_FULL)).decision).toBe(authzv1.Decision.DECISION_ALLOW);
    // The approval for 5,000 is not one for 50,000.
    expect(await ask(50_000)).toMatchObject({ decision: authzv1.Decision.DECISION_NEEDS_APPROVAL, matchedCondition: conditions[0] });
    const access = await dana.listAccess({ tenant: 'cond', principal: '' });
    expect(access.grants).toEqual([{ action: 'refunds.issue', resource: 'refund/77', condition: 'medium', startsAt: grant?.grantedAt, expiresAt: grant?.expiresAt, requestId: '' }]);
    // After the grant ends the cached answer ends with it: approval is needed again.
    await new Promise((r) => setTimeout(r, Math.max(0, (grant?.expiresAt?.getTime() ?? 0) - Date.now() + 50)));
    expect((await ask(5_000)).decision).toBe(authzv1.Decision.DECISION_NEEDS_APPROVAL);
    expect((await dana.explain({ tenant: 'cond', principal: '', action: 'refunds.issue', resource: 'refund/77', context: { amount: 5_000 } })).reason).toMatch(
      /^condition "medium" \(context.amount > 1000\) holds; grant expired at /,
    );
    await expect(dana.check({ tenant: 'cond', principal: '', action: 'refunds.issue', resource: 'refund/77', context: { amount: 'lots' } })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    await expect(dana.check({ tenant: 'cond', principal: '', action: 'refunds.issue', resource: 'refund/77', context: {} })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('context: condition "large" (context.amount > 10000) cannot be decided'),
    });

    // Every protected decision is its own audit record, naming the condition that matched.
    const nats = await connectNats(testEnv.natsUrl, 'authz-test-reader', createLogger('test', 'silent'));
    try {
      const n = names(root);
      const consumer = await nats.js.consumers.get(n.eventsStream, { filter_subjects: n.event('cond', 'authz', 'checked') });
      const recorded: eventsv1.AuthzChecked[] = [];
      for await (const m of await consumer.fetch({ max_messages: 100, expires: 2_000 })) {
        recorded.push(eventsv1.AuthzChecked.fromJSON((m.json() as { data: unknown }).data));
        if (m.info.pending === 0) break;
      }
      expect(recorded.map((r) => [r.decision, r.matchedCondition?.name ?? ''])).toEqual([
        [authzv1.Decision.DECISION_ALLOW, ''],
        [authzv1.Decision.DECISION_NEEDS_APPROVAL, 'medium'],
        [authzv1.Decision.DECISION_ALLOW, 'medium'],
        [authzv1.Decision.DECISION_ALLOW, 'medium'],
        [authzv1.Decision.DECISION_NEEDS_APPROVAL, 'large'],
        [authzv1.Decision.DECISION_NEEDS_APPROVAL, 'medium'],
      ]);
    } finally {
      await nats.drain();
    }
  });

  it('answers a BatchCheck of 100 items against OpenFGA, each as Check would', async () => {
    const admin = client(await issuer.token({ subject: 'root', roles: ['platform-admin'] }));
    const svc = client(await issuer.token({ subject: 'service:approvals', audience: 'assent:authz' }));
    await admin.createTenant({ id: 'batch', displayName: 'Batch' });
    await admin.addTenantMember({ tenant: 'batch', user: 'erin' });
    await svc.registerProtectedAction({ tenant: 'batch', action: 'keys.rotate', policy, approvers: ['user:bob'] });
    await svc.writeGrant({ tenant: 'batch', principal: 'erin', action: 'keys.rotate', resource: 'key/7', durationSeconds: '600', requestId: '01JEEEEEEEEEEEEEEEEEEEEEEE' });
    const items = Array.from({ length: 100 }, (_, i) => ({ principal: i % 10 === 9 ? 'mallory' : 'erin', action: 'keys.rotate', resource: `key/${i}`, correlationId: `c${i}` }));
    const { results } = await svc.batchCheck({ tenant: 'batch', items });
    expect(results).toHaveLength(100);
    expect(results.map((r) => r.correlationId)).toEqual(items.map((i) => i.correlationId));
    const decided = results.map((r) => r.response?.decision);
    expect(decided[7]).toBe(authzv1.Decision.DECISION_ALLOW);
    expect(decided.filter((d) => d === authzv1.Decision.DECISION_DENY)).toHaveLength(10);
    expect(decided.filter((d) => d === authzv1.Decision.DECISION_NEEDS_APPROVAL)).toHaveLength(89);
  });

  it('is the only one OpenFGA answers: a call without its preshared key, or with another, is refused by OpenFGA itself', async () => {
    const write = (headers: Record<string, string>) =>
      fetch(`${fga.apiUrl}/stores/${authz.storeId}/write`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ writes: { tuple_keys: [{ user: 'user:mallory', relation: 'member', object: 'tenant:acme' }] } }),
      });
    expect((await write({})).status).toBe(401);
    expect((await write({ authorization: 'Bearer not-the-key' })).status).toBe(401);
    expect((await fetch(`${fga.apiUrl}/stores`)).status).toBe(401);
    // Nothing was written: mallory is no member, as authz (holding the key) reads it.
    const mallory = client(await issuer.token({ subject: 'mallory', tenant: 'acme' }));
    expect((await mallory.check({ tenant: 'acme', principal: '', action: 'payouts.change_details', resource: 'payout-account/1' })).decision).toBe(authzv1.Decision.DECISION_DENY);
  });

  it('will not start with a preshared key OpenFGA refuses', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assent-wrong-key-'));
    const wrong = join(dir, 'key');
    await writeFile(wrong, 'not-the-key\n');
    try {
      await expect(
        startAuthz(loadConfig({ ...commonTestEnv(root, issuer), AUTHZ_GRPC_PORT: '0', AUTHZ_HTTP_PORT: '0', ...fga.authzEnv, AUTHZ_OPENFGA_PRESHARED_KEY_FILE: wrong, AUTHZ_OPENFGA_STORE_NAME: root })),
      ).rejects.toThrow(/OpenFGA .* unavailable/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('returns INVALID_ARGUMENT with field violations and changes nothing', async () => {
    const svc = client(await issuer.token({ subject: 'service:approvals', audience: 'assent:authz' }));
    const err = await svc
      .registerProtectedAction({ tenant: 'Bad Tenant', action: 'x', policy: undefined, approvers: ['bob'] })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RichClientError);
    expect((err as ClientError).code).toBe(Status.INVALID_ARGUMENT);
    const violations = (err as RichClientError).extra.find((d) => d.$type === BadRequest.$type) as BadRequest;
    expect(violations.fieldViolations.map((v) => v.field).sort()).toEqual(['action', 'approvers[0]', 'policy.hash', 'policy.id', 'tenant']);
    const alice = client(await issuer.token({ subject: 'alice', tenant: 'acme' }));
    const list = await alice.listProtectedActions({ tenant: 'acme' });
    expect(list.protectedActions.map((a) => a.action)).toEqual(['payouts.change_details']);
  });

  it('lets a service identity call only the RPCs listed for it (the notifier and approvals cannot create tenants)', async () => {
    for (const subject of ['service:notifier', 'service:approvals']) {
      const svc = client(await issuer.token({ subject, audience: 'assent:authz' }));
      await expect(svc.createTenant({ id: 'sneaky', displayName: 'Sneaky' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
      await expect(svc.addTenantMember({ tenant: 'acme', user: 'mallory' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    }
    const notifier = client(await issuer.token({ subject: 'service:notifier', audience: 'assent:authz' }));
    await expect(notifier.check({ tenant: 'acme', principal: 'alice', action: 'payouts.change_details', resource: 'r/1' })).rejects.toMatchObject({
      code: Status.PERMISSION_DENIED,
      details: 'service notifier may not call Check',
    });
    // Nothing changed: no tenant "sneaky", and mallory is still no member.
    const admin = client(await issuer.token({ subject: 'root', roles: ['platform-admin'] }));
    expect((await admin.createTenant({ id: 'sneaky', displayName: 'Sneaky' })).created).toBe(true);
    const mallory = client(await issuer.token({ subject: 'mallory', tenant: 'acme' }));
    expect((await mallory.check({ tenant: 'acme', principal: '', action: 'payouts.change_details', resource: 'r/1' })).decision).toBe(authzv1.Decision.DECISION_DENY);
    // approvals keeps what it needs.
    const approvals = client(await issuer.token({ subject: 'service:approvals', audience: 'assent:authz' }));
    expect((await approvals.check({ tenant: 'acme', principal: 'alice', action: 'payouts.change_details', resource: 'r/1' })).decision).toBe(authzv1.Decision.DECISION_NEEDS_APPROVAL);
  });

  it('takes a service identity only with a token minted for authz (a token given to another service is refused)', async () => {
    for (const audience of ['assent', 'assent:delivery']) {
      const replayed = client(await issuer.token({ subject: 'service:approvals', audience }));
      await expect(replayed.check({ tenant: 'acme', principal: 'alice', action: 'payouts.change_details', resource: 'r/1' }), audience).rejects.toMatchObject({
        code: Status.UNAUTHENTICATED,
        details: expect.stringMatching(/audience .*assent:authz/),
      });
    }
    // People's tokens keep the platform's audience.
    const alice = client(await issuer.token({ subject: 'alice', tenant: 'acme' }));
    await expect(alice.check({ tenant: 'acme', principal: '', action: 'payouts.change_details', resource: 'r/1' })).resolves.toBeDefined();
  });

  it('answers UNAVAILABLE, never an answer, when OpenFGA is down and the decision is not cached', async () => {
    const admin = client(await issuer.token({ subject: 'root', roles: ['platform-admin'] }));
    const svc = client(await issuer.token({ subject: 'service:approvals', audience: 'assent:authz' }));
    await admin.createTenant({ id: 'down', displayName: 'Down' });
    await svc.registerProtectedAction({ tenant: 'down', action: 'keys.rotate', policy, approvers: ['user:bob'] });
    await fga.stop();
    const carol = client(await issuer.token({ subject: 'carol', tenant: 'down' }));
    await expect(carol.check({ tenant: 'down', principal: '', action: 'keys.rotate', resource: 'key/1' })).rejects.toMatchObject({ code: Status.UNAVAILABLE });
  });
});
