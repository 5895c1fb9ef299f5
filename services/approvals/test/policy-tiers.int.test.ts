// Conditional protection end to end, with real authz, OpenFGA, NATS and Redis: the
// policy's tiers become authz's protection conditions, a request opens in the tier
// authz matches for its parameters, and the grant covers that tier and the laxer ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status } from 'nice-grpc';
import { createGrpcClient, openChannel, staticToken, type Channel } from '@assent/platform';
import { approvalsv1, authzv1 } from '@assent/proto';
import { cleanupNats, cleanupRedis, commonTestEnv, startOpenFga, startTestIssuer, uniqueRoot, type RunningOpenFga, type TestIssuer } from '@assent/testkit';
import { loadConfig as authzConfig } from '@assent/authz/config';
import { startAuthz, type RunningAuthz } from '@assent/authz';
import { loadConfig } from '../src/config.js';
import { startApprovals, type RunningApprovals } from '../src/main.js';

const root = uniqueRoot();
let fga: RunningOpenFga;
let issuer: TestIssuer;
let authz: RunningAuthz;
let approvals: RunningApprovals | undefined;
let channel: Channel;
let authzChannel: Channel;

const token = async (subject: string, roles: string[] = []) => staticToken(await issuer.token({ subject, tenant: 'acme', roles }));
const as = async (subject: string, roles: string[] = []) => createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, await token(subject, roles));
const action = 'payouts.send';
const resource = 'vendor/7';

beforeAll(async () => {
  [fga, issuer] = await Promise.all([startOpenFga(), startTestIssuer()]);
  const env = commonTestEnv(root, issuer);
  authz = await startAuthz(authzConfig({ ...env, AUTHZ_GRPC_PORT: '0', AUTHZ_HTTP_PORT: '0', ...fga.authzEnv, AUTHZ_OPENFGA_STORE_NAME: root }));
  approvals = await startApprovals(loadConfig({ ...env, APPROVALS_GRPC_PORT: '0', APPROVALS_HTTP_PORT: '0', APPROVALS_AUTHZ_ADDR: `127.0.0.1:${authz.grpcPort}` }));
  channel = openChannel(`127.0.0.1:${approvals.grpcPort}`);
  authzChannel = openChannel(`127.0.0.1:${authz.grpcPort}`);
  const admin = createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, staticToken(await issuer.token({ subject: 'root', roles: ['platform-admin'] })));
  await admin.createTenant({ id: 'acme', displayName: 'Acme' });
  for (const user of ['alice', 'bob', 'erin', 'frank']) await admin.addTenantMember({ tenant: 'acme', user });
  const groups = createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, await token('root', ['admin']));
  await groups.addGroupMember({ tenant: 'acme', group: 'finance', user: 'erin' });
  await groups.addGroupMember({ tenant: 'acme', group: 'risk', user: 'frank' });
}, 120_000);

afterAll(async () => {
  channel?.close();
  authzChannel?.close();
  await approvals?.stop();
  await authz?.stop();
  await Promise.all([fga?.stop(), issuer?.stop(), cleanupNats(root), cleanupRedis(root)]);
});

describe('policy tiers with real authz', () => {
  it('below every threshold is allowed; medium opens tier medium; its grant covers medium but not large', async () => {
    const admin = await as('root', ['admin']);
    const { policy } = await admin.putPolicy({
      tenant: 'acme',
      policy: approvalsv1.Policy.fromPartial({
        id: 'payouts-send',
        action,
        approvers: ['user:bob'],
        quorum: 1,
        grantDurationSeconds: '600',
        parametersSchema: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] },
        approverEditable: ['parameters.amount'],
        tiers: [
          {
            name: 'large',
            when: 'context.amount > 10000',
            requirements: [
              { name: 'finance', approvers: ['group:finance#member'], quorum: 1 },
              { name: 'risk', approvers: ['group:risk#member'], quorum: 1 },
            ],
          },
          { name: 'medium', when: 'context.amount > 1000' },
        ],
      }),
    });
    expect(policy?.tiers.map((t) => t.name)).toEqual(['large', 'medium']);

    const alice = await as('alice');
    const ask = (amount: number) => alice.createRequest({ tenant: 'acme', action, resource, justification: 'invoice', idempotencyKey: '', parameters: { amount } });
    const small = await ask(500);
    expect(small).toMatchObject({ alreadyAllowed: true, request: undefined });

    const medium = await ask(5000);
    expect(medium.request).toMatchObject({ tier: 'medium', state: approvalsv1.RequestState.REQUEST_STATE_PENDING, requirements: [{ name: 'approvers', approvers: ['user:bob'], quorum: 1 }] });
    const id = medium.request?.id as string;
    const large = await ask(50000);
    expect(large.request).toMatchObject({ tier: 'large', requirements: [{ name: 'finance' }, { name: 'risk' }] });

    // An approver's edit that would move the request to the large tier is refused.
    const bob = await as('bob');
    const edit = { grantDurationSeconds: undefined, effectiveAt: undefined, parameters: { amount: 50000 } };
    await expect(bob.approve({ tenant: 'acme', id, comment: 'bigger', edits: edit })).rejects.toMatchObject({ code: Status.FAILED_PRECONDITION, details: expect.stringMatching(/from tier "medium" to tier "large"/) });

    await bob.approve({ tenant: 'acme', id, comment: 'invoice checked' });
    await expect.poll(async () => (await alice.getRequest({ tenant: 'acme', id })).request?.grantExpiresAt, { timeout: 10_000 }).toBeInstanceOf(Date);

    const check = createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, await token('alice'));
    const decide = (amount: number) => check.check({ tenant: 'acme', principal: 'alice', action, resource, context: { amount } });
    expect((await decide(5000)).decision).toBe(authzv1.Decision.DECISION_ALLOW);
    const stricter = await decide(50000);
    expect(stricter).toMatchObject({ decision: authzv1.Decision.DECISION_NEEDS_APPROVAL, matchedCondition: { name: 'large', when: 'context.amount > 10000' } });
  });

  it('a bad condition is refused naming the tier, and parameters the conditions cannot decide name parameters', async () => {
    const admin = await as('root', ['admin']);
    const put = admin.putPolicy({
      tenant: 'acme',
      policy: approvalsv1.Policy.fromPartial({ id: 'refunds', action: 'refunds.issue', approvers: ['user:bob'], grantDurationSeconds: '600', tiers: [{ name: 'large', when: 'context.amount >' }] }),
    });
    await expect(put).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: expect.stringMatching(/^policy\.tiers\[0\]\.when: does not compile/) });
    await expect(admin.getPolicy({ tenant: 'acme', action: 'refunds.issue' })).rejects.toMatchObject({ code: Status.NOT_FOUND });

    const alice = await as('alice');
    const missing = alice.createRequest({ tenant: 'acme', action, resource, justification: '', idempotencyKey: '', parameters: { currency: 'EUR' } });
    await expect(missing).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: 'parameters: condition "large" (context.amount > 10000) cannot be decided: No such key: amount' });
  });
});
