import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status, type ClientError } from 'nice-grpc';
import { BadRequest, RichClientError } from 'nice-grpc-error-details';
import { OpenFgaClient } from '@openfga/sdk';
import { connectNats, createGrpcClient, createLogger, createRuntime, eventConsumerNames, names, openChannel, staticToken, type Channel, type Nats, type Principal, type ServiceRuntime } from '@assent/platform';
import { authzv1, eventsv1 } from '@assent/proto';
import { cleanupNats, cleanupRedis, commonTestEnv, startOpenFga, startTestIssuer, testEnv, uniqueRoot, type RunningOpenFga, type TestIssuer } from '@assent/testkit';
import { KvIdRegistry } from '../src/adapters/jetstream/kv-id-registry.js';
import { assentModelDsl } from '../src/adapters/openfga/model.js';
import { connectOpenFgaModels } from '../src/adapters/openfga/connect.js';
import { checkAccess } from '../src/domain/commands/check-access.js';
import { loadConfig } from '../src/config.js';
import { composeAuthz, startAuthz, type RunningAuthz } from '../src/main.js';
import type { AuthzDeps } from '../src/domain/ports.js';
import type { OpenFgaRelationStore } from '../src/adapters/openfga/relation-store.js';
import { modelRegistryContract } from './contract/model-registry.contract.js';

/**
 * Two authz replicas on one store and one registry: A serves gRPC (startAuthz), B is
 * the same composition called in process (composeAuthz), so the test can watch B's
 * model switch and ask B's decision cache directly.
 */
const root = uniqueRoot();
let fga: RunningOpenFga;
let issuer: TestIssuer;
let authz: RunningAuthz;
let channel: Channel;
let rtB: ServiceRuntime;
let replicaB: { deps: AuthzDeps; openFga: OpenFgaRelationStore };
let nats: Nats;
const client = (token: string) => createGrpcClient(authzv1.AuthzServiceDefinition, channel, staticToken(token));
const approvals: Principal = { subject: 'service:approvals', kind: 'service', tenant: undefined, roles: [] };
const policy = { id: 'payouts', hash: 'a'.repeat(64) };
/** The built-in model with tenant admins no longer members by that alone: still everything authz relies on. */
const noAdminMembers = assentModelDsl.replace('define member: [user, group#member] or admin', 'define member: [user, group#member]');

const eventually = async <T>(read: () => T | Promise<T>, ok: (v: T) => boolean, ms = 5_000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
};

beforeAll(async () => {
  [fga, issuer] = await Promise.all([startOpenFga(), startTestIssuer()]);
  const config = loadConfig({ ...commonTestEnv(root, issuer), AUTHZ_GRPC_PORT: '0', AUTHZ_HTTP_PORT: '0', ...fga.authzEnv, AUTHZ_OPENFGA_STORE_NAME: root, AUTHZ_GRANT_REAPER_INTERVAL_SECONDS: '0' });
  authz = await startAuthz(config);
  channel = openChannel(`127.0.0.1:${authz.grpcPort}`);
  rtB = await createRuntime('authz-b', config);
  replicaB = await composeAuthz(rtB, config);
  nats = await connectNats(testEnv.natsUrl, 'model-lifecycle-test', createLogger('test', 'silent'));
});

afterAll(async () => {
  channel?.close();
  await Promise.all([authz?.stop(), rtB?.stop(), nats?.drain()]);
  await Promise.all([fga?.stop(), issuer?.stop(), cleanupNats(root), cleanupRedis(root)]);
});

modelRegistryContract('jetstream kv', async () => {
  const bucketRoot = `${root}_reg`;
  return [await KvIdRegistry.open(nats.nc, bucketRoot), await KvIdRegistry.open(nats.nc, bucketRoot)];
});

describe('the model lifecycle on real OpenFGA and NATS', () => {
  it('simulates a draft against recorded decisions, applies it on every replica, and refuses what it must', async () => {
    const admin = client(await issuer.token({ subject: 'root', roles: ['platform-admin'] }));
    const tenantAdmin = client(await issuer.token({ subject: 'ann', tenant: 'acme', roles: ['admin'] }));
    const alice = client(await issuer.token({ subject: 'alice', tenant: 'acme' }));
    const svc = client(await issuer.token({ subject: 'service:approvals', audience: 'assent:authz' }));
    await admin.createTenant({ id: 'acme', displayName: 'Acme' });
    await admin.addTenantMember({ tenant: 'acme', user: 'alice' });
    // carol is a tenant admin and only that: a member through the model's "or admin".
    await new OpenFgaClient(fga.clientConfig({ storeId: authz.storeId })).writeTuples([{ user: 'user:carol', relation: 'admin', object: 'tenant:acme' }]);
    await svc.registerProtectedAction({ tenant: 'acme', action: 'payouts.change_details', policy, approvers: ['user:bob'] });
    await svc.registerProtectedAction({ tenant: 'acme', action: 'refunds.issue', policy, approvers: ['user:bob'], conditions: [{ name: 'large', when: 'context.amount > 10000' }] });
    await svc.writeGrant({ tenant: 'acme', principal: 'carol', action: 'payouts.change_details', resource: 'acct/9', durationSeconds: '3600', requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA' });

    // Decisions recorded by real Checks on replica B (each an assent.authz.checked.v1 event).
    const check = (principal: string, action: string, resource: string, context?: Record<string, unknown>) =>
      checkAccess(replicaB.deps, approvals, { tenant: 'acme', principal, action, resource, context });
    const d = {
      carolRoutine: await check('carol', 'refunds.issue', 'refund/1', { amount: 5 }),
      aliceRoutine: await check('alice', 'refunds.issue', 'refund/1', { amount: 5 }),
      carolProtected: await check('carol', 'payouts.change_details', 'acct/1'),
      aliceProtected: await check('alice', 'payouts.change_details', 'acct/1'),
      mallory: await check('mallory', 'payouts.change_details', 'acct/1'),
      carolGranted: await check('carol', 'payouts.change_details', 'acct/9'),
    };
    expect(Object.values(d).map((r) => r.decision)).toEqual(['ALLOW', 'ALLOW', 'NEEDS_APPROVAL', 'NEEDS_APPROVAL', 'DENY', 'ALLOW']);
    const builtin = await tenantAdmin.getModel({});
    expect(builtin).toMatchObject({ modelId: authz.modelId, source: 'builtin', dsl: assentModelDsl, appliedBy: 'authz' });

    // Simulate: exactly the three decisions of the admin-only user change; nothing else does.
    const sim = await admin.simulateModel({ dsl: noAdminMembers, limit: 0 });
    expect(sim.replayed).toBe(6);
    expect(sim.skipped).toBe(0);
    expect(sim.draftModelId).not.toBe(authz.modelId);
    const D = authzv1.Decision;
    expect(sim.changes.map((c) => [c.decisionId, c.principal, c.action, c.resource, c.recorded, c.current, c.draft]).sort()).toEqual(
      [
        [d.carolRoutine.decisionId, 'carol', 'refunds.issue', 'refund/1', D.DECISION_ALLOW, D.DECISION_ALLOW, D.DECISION_DENY],
        [d.carolProtected.decisionId, 'carol', 'payouts.change_details', 'acct/1', D.DECISION_NEEDS_APPROVAL, D.DECISION_NEEDS_APPROVAL, D.DECISION_DENY],
        [d.carolGranted.decisionId, 'carol', 'payouts.change_details', 'acct/9', D.DECISION_ALLOW, D.DECISION_ALLOW, D.DECISION_DENY],
      ].sort(),
    );
    expect(sim.changes.every((c) => c.tenant === 'acme' && c.decidedAt instanceof Date)).toBe(true);
    // The current model is as it was, on both replicas; the read left no consumer behind.
    expect((await admin.getModel({})).modelId).toBe(authz.modelId);
    expect(replicaB.openFga.modelId()).toBe(authz.modelId);
    const n = names(root);
    const consumers: string[] = [];
    for await (const c of nats.jsm.consumers.list(n.eventsStream)) consumers.push(c.name);
    expect(consumers).not.toContain(eventConsumerNames.authzDecisionReplay);
    // A limit takes the newest.
    expect((await admin.simulateModel({ dsl: noAdminMembers, limit: 2 })).replayed).toBe(2);

    // Refused: a model without what authz relies on, and callers who are not platform admins.
    const broken = assentModelDsl.replace('    define admin: [user]\n', '').replace(' or admin', '');
    const err = await admin.applyModel({ dsl: broken }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RichClientError);
    expect((err as ClientError).code).toBe(Status.INVALID_ARGUMENT);
    const violations = (err as RichClientError).extra.find((x) => x.$type === BadRequest.$type) as BadRequest;
    expect(violations.fieldViolations.map(({ field, description }) => ({ field, description }))).toEqual([{ field: 'dsl', description: 'the model lacks what authz relies on: tenant#admin' }]);
    await expect(admin.applyModel({ dsl: 'model\n  schema 1.1\ntype user\n  relations\n    define x: [user\n' })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: expect.stringContaining('dsl: syntax error at line 6') });
    await expect(tenantAdmin.applyModel({ dsl: noAdminMembers })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    await expect(tenantAdmin.simulateModel({ dsl: noAdminMembers, limit: 0 })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    await expect(alice.getModel({})).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    await expect(svc.getModel({})).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    expect((await admin.getModel({})).modelId).toBe(authz.modelId);

    // Apply on A: B follows the pointer, and carol's routine ALLOW (cached on B) flips to DENY.
    const before = Date.now();
    const applied = await admin.applyModel({ dsl: noAdminMembers });
    // The simulated draft is the same model: its version is reused.
    expect(applied).toEqual({ modelId: sim.draftModelId, previousModelId: authz.modelId, changed: true });
    expect(await eventually(() => replicaB.openFga.modelId(), (id) => id === applied.modelId)).toBe(applied.modelId);
    const flipped = await check('carol', 'refunds.issue', 'refund/1', { amount: 5 });
    expect(flipped).toMatchObject({ decision: 'DENY', modelId: applied.modelId });
    expect((await check('alice', 'refunds.issue', 'refund/1', { amount: 5 })).decision).toBe('ALLOW');
    expect((await svc.check({ tenant: 'acme', principal: 'carol', action: 'payouts.change_details', resource: 'acct/9', consistency: authzv1.Consistency.CONSISTENCY_UNSPECIFIED })).decision).toBe(D.DECISION_DENY);
    const current = await tenantAdmin.getModel({});
    expect(current).toMatchObject({ modelId: applied.modelId, source: 'applied', dsl: noAdminMembers, appliedBy: 'root' });
    expect(current.appliedAt?.getTime()).toBeGreaterThanOrEqual(before - 1_000);

    // One model_applied event, platform-wide.
    const stored = await nats.jsm.streams.getMessage(n.eventsStream, { last_by_subj: n.event('platform', 'authz', 'model_applied') });
    if (!stored) throw new Error('no model_applied event');
    const event = stored.json<{ type: string; tenantid: string; data: unknown }>();
    expect(event).toMatchObject({ type: 'assent.authz.model_applied.v1', tenantid: 'platform' });
    expect(eventsv1.AuthzModelApplied.fromJSON(event.data)).toEqual({ modelId: applied.modelId, previousModelId: authz.modelId, actor: 'root' });

    // The same model again changes nothing and publishes nothing.
    expect(await admin.applyModel({ dsl: `# unchanged\n${noAdminMembers}` })).toEqual({ modelId: applied.modelId, previousModelId: applied.modelId, changed: false });
    const again = await nats.jsm.streams.getMessage(n.eventsStream, { last_by_subj: n.event('platform', 'authz', 'model_applied') });
    expect(again?.seq).toBe(stored.seq);

    // A replica starting now keeps the applied model and warns that its built-in one differs.
    const warnings: string[] = [];
    const booted = await connectOpenFgaModels({
      apiUrl: fga.apiUrl,
      presharedKey: fga.presharedKey,
      storeName: root,
      registry: await KvIdRegistry.open(nats.nc, root),
      logger: { info: () => undefined, warn: (_f, msg) => void warnings.push(msg) },
    });
    expect(booted.store.modelId()).toBe(applied.modelId);
    expect(warnings).toEqual([expect.stringContaining('an applied authorization model is current and stays so')]);
  });
});
