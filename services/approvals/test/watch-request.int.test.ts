// WatchRequest over gRPC with real authz, OpenFGA, NATS and Redis: the caller waits for
// the decision and the grant on the stream, with no polling.
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

const as = async (subject: string, roles: string[] = []) =>
  createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, staticToken(await issuer.token({ subject, tenant: 'acme', roles })));
const { REQUEST_STATE_PENDING: PENDING, REQUEST_STATE_APPROVED: APPROVED } = approvalsv1.RequestState;

beforeAll(async () => {
  [fga, issuer] = await Promise.all([startOpenFga(), startTestIssuer()]);
  const env = commonTestEnv(root, issuer);
  authz = await startAuthz(authzConfig({ ...env, AUTHZ_GRPC_PORT: '0', AUTHZ_HTTP_PORT: '0', ...fga.authzEnv, AUTHZ_OPENFGA_STORE_NAME: root }));
  approvals = await startApprovals(loadConfig({ ...env, APPROVALS_GRPC_PORT: '0', APPROVALS_HTTP_PORT: '0', APPROVALS_AUTHZ_ADDR: `127.0.0.1:${authz.grpcPort}` }));
  channel = openChannel(`127.0.0.1:${approvals.grpcPort}`);
  authzChannel = openChannel(`127.0.0.1:${authz.grpcPort}`);
  const admin = createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, staticToken(await issuer.token({ subject: 'root', roles: ['platform-admin'] })));
  await admin.createTenant({ id: 'acme', displayName: 'Acme' });
  for (const user of ['alice', 'bob']) await admin.addTenantMember({ tenant: 'acme', user });
  await (await as('root', ['admin'])).putPolicy({
    tenant: 'acme',
    policy: { id: 'payouts', action: 'payouts.change_details', approvers: ['user:bob'], quorum: 1, allowSelfApproval: false, requireJustification: false, grantDurationSeconds: '600', slackChannel: 'C1', hash: '' },
  });
}, 120_000);

afterAll(async () => {
  channel?.close();
  authzChannel?.close();
  await approvals?.stop();
  await authz?.stop();
  await Promise.all([fga?.stop(), issuer?.stop(), cleanupNats(root), cleanupRedis(root)]);
});

const open = async (resource: string) => {
  const alice = await as('alice');
  const created = await alice.createRequest({ tenant: 'acme', action: 'payouts.change_details', resource, justification: '', idempotencyKey: '' });
  return { alice, id: created.request?.id as string };
};

describe('WatchRequest', () => {
  it('streams PENDING, then APPROVED, then the grant, and ends', async () => {
    const { alice, id } = await open('acct/1');
    const stream = alice.watchRequest({ tenant: 'acme', id }, { signal: AbortSignal.timeout(20_000) })[Symbol.asyncIterator]();
    const first = await stream.next();
    expect(first.done || first.value.request?.state).toBe(PENDING);

    await (await as('bob')).approve({ tenant: 'acme', id, comment: 'verified' });
    const approved = await stream.next();
    expect(approved.done || approved.value.request).toMatchObject({ state: APPROVED, revision: '2', grantExpiresAt: undefined });
    const granted = await stream.next();
    expect(granted.done || granted.value.request).toMatchObject({ state: APPROVED, revision: '3' });
    expect(granted.done || granted.value.request?.grantExpiresAt).toBeInstanceOf(Date);
    expect((await stream.next()).done).toBe(true);
  });

  it('answers NOT_FOUND for an unknown request, PERMISSION_DENIED for another tenant', async () => {
    const alice = await as('alice');
    const first = (req: approvalsv1.WatchRequestRequest) => alice.watchRequest(req)[Symbol.asyncIterator]().next();
    await expect(first({ tenant: 'acme', id: '01JZZZZZZZZZZZZZZZZZZZZZZZ' })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await expect(first({ tenant: 'globex', id: '01JZZZZZZZZZZZZZZZZZZZZZZZ' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
  });

  it('ends open watches with UNAVAILABLE when the server stops, before the gRPC drain', async () => {
    const { alice, id } = await open('acct/2');
    const stream = alice.watchRequest({ tenant: 'acme', id })[Symbol.asyncIterator]();
    expect((await stream.next()).done).toBe(false);
    const started = Date.now();
    let endedAfter = Infinity;
    const waiting = stream.next().then(
      () => 'still open',
      (err: unknown) => ((endedAfter = Date.now() - started), err),
    );
    const stopped = approvals?.stop();
    approvals = undefined;
    expect(await waiting).toMatchObject({ code: Status.UNAVAILABLE });
    expect(endedAfter).toBeLessThan(1_000);
    await stopped;
  });
});
