// System test: the notifier's service token acting for people (assent-acting-for) at
// approvals, with real authz, OpenFGA, NATS and Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metadata, Status } from 'nice-grpc';
import { actingForMetadata, createGrpcClient, natsServers, openChannel, parseEvent, staticToken, type Channel } from '@assent/platform';
import { approvalsv1, authzv1, eventsv1 } from '@assent/proto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { cleanupNats, cleanupRedis, commonTestEnv, startOpenFga, startTestIssuer, testEnv, uniqueRoot, type RunningOpenFga, type TestIssuer } from '@assent/testkit';
import { loadConfig as authzConfig } from '@assent/authz/config';
import { startAuthz, type RunningAuthz } from '@assent/authz';
import { loadConfig } from '@assent/approvals/config';
import { startApprovals, type RunningApprovals } from '@assent/approvals';

const root = uniqueRoot();
let fga: RunningOpenFga;
let issuer: TestIssuer;
let authz: RunningAuthz;
let approvals: RunningApprovals;
let channel: Channel;
let authzChannel: Channel;
let nc: NatsConnection;
const seen: { type: string; subject: string; data: unknown }[] = [];

const as = async (subject: string, roles: string[] = []) =>
  createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, staticToken(await issuer.token({ subject, tenant: 'acme', roles })));
/** The notifier's own service token, as it calls approvals. */
const notifier = async () =>
  createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, staticToken(await issuer.token({ subject: 'service:notifier', audience: 'assent:approvals' })));
const viaSlack = (subject: string) => ({ metadata: actingForMetadata({ subject, tenant: 'acme', channel: 'slack' }) });

beforeAll(async () => {
  [fga, issuer] = await Promise.all([startOpenFga(), startTestIssuer()]);
  const env = commonTestEnv(root, issuer);
  authz = await startAuthz(authzConfig({ ...env, AUTHZ_GRPC_PORT: '0', AUTHZ_HTTP_PORT: '0', ...fga.authzEnv, AUTHZ_OPENFGA_STORE_NAME: root }));
  approvals = await startApprovals(loadConfig({ ...env, APPROVALS_GRPC_PORT: '0', APPROVALS_HTTP_PORT: '0', APPROVALS_AUTHZ_ADDR: `127.0.0.1:${authz.grpcPort}` }));
  channel = openChannel(`127.0.0.1:${approvals.grpcPort}`);
  authzChannel = openChannel(`127.0.0.1:${authz.grpcPort}`);
  const admin = createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, staticToken(await issuer.token({ subject: 'root', roles: ['platform-admin'] })));
  await admin.createTenant({ id: 'acme', displayName: 'Acme' });
  for (const user of ['alice', 'bob', 'carol', 'mallory']) await admin.addTenantMember({ tenant: 'acme', user });
  nc = await connect(natsServers(testEnv.natsUrl));
  const sub = nc.subscribe(`${root}.evt.acme.>`);
  void (async () => {
    for await (const m of sub) {
      const e = parseEvent(m.data);
      seen.push({ type: e.type, subject: e.subject, data: e.data });
    }
  })();
});

afterAll(async () => {
  await nc?.close();
  channel?.close();
  authzChannel?.close();
  await approvals?.stop();
  await authz?.stop();
  await Promise.all([fga?.stop(), issuer?.stop(), cleanupNats(root), cleanupRedis(root)]);
});

describe('a channel service acting for a person', () => {
  it('approves for an eligible approver, refuses an ineligible one, and records the channel', async () => {
    const admin = await as('root', ['admin']);
    await admin.putPolicy({ tenant: 'acme', policy: { id: 'payouts', action: 'payouts.change_details', approvers: ['user:bob', 'user:carol'], quorum: 1, grantDurationSeconds: '600' } });
    const id = (await (await as('alice')).createRequest({ tenant: 'acme', action: 'payouts.change_details', resource: 'acct/1', justification: 'new bank' })).request?.id as string;
    const service = await notifier();

    await expect(service.approve({ tenant: 'acme', id, comment: 'me too' }, viaSlack('mallory'))).rejects.toMatchObject({
      code: Status.PERMISSION_DENIED,
      details: expect.stringContaining('mallory is not among the approvers'),
    });
    const approved = await service.approve({ tenant: 'acme', id, comment: 'checked by phone' }, viaSlack('bob'));
    expect(approved.request?.state).toBe(approvalsv1.RequestState.REQUEST_STATE_APPROVED);
    expect(approved.request?.votes[0]).toMatchObject({ approver: 'bob', via: { service: 'service:notifier', channel: approvalsv1.ActingChannel.ACTING_CHANNEL_SLACK } });

    await expect.poll(() => seen.filter((e) => e.subject === `request/${id}`).map((e) => e.type).sort(), { timeout: 5_000 }).toEqual([
      'assent.approval.decided.v1',
      'assent.approval.requested.v1',
      'assent.approval.vote_refused.v1',
    ]);
    const decided = eventsv1.ApprovalDecided.fromJSON(seen.find((e) => e.subject === `request/${id}` && e.type === 'assent.approval.decided.v1')?.data);
    expect(decided).toMatchObject({ decidedBy: 'bob', via: { service: 'service:notifier', channel: approvalsv1.ActingChannel.ACTING_CHANNEL_SLACK } });
    const refused = eventsv1.ApprovalVoteRefused.fromJSON(seen.find((e) => e.subject === `request/${id}` && e.type === 'assent.approval.vote_refused.v1')?.data);
    expect(refused).toMatchObject({ principal: 'mallory', code: 'NOT_ELIGIBLE', via: { channel: approvalsv1.ActingChannel.ACTING_CHANNEL_SLACK } });
  });

  it('refuses the headers from a user token, and malformed ones naming the header', async () => {
    const admin = await as('root', ['admin']);
    await admin.putPolicy({ tenant: 'acme', policy: { id: 'refunds', action: 'refunds.issue', approvers: ['user:bob'], quorum: 1, grantDurationSeconds: '600' } });
    const id = (await (await as('alice')).createRequest({ tenant: 'acme', action: 'refunds.issue', resource: 'order/1', justification: 'damaged' })).request?.id as string;
    // carol (a member, not an approver) tries to pass as bob.
    await expect((await as('carol')).approve({ tenant: 'acme', id, comment: 'ok' }, viaSlack('bob'))).rejects.toMatchObject({
      code: Status.PERMISSION_DENIED,
      details: expect.stringContaining('carol may not act for someone else'),
    });
    await expect(
      (await notifier()).approve({ tenant: 'acme', id, comment: 'ok' }, { metadata: Metadata({ 'assent-acting-for': 'bob', 'assent-acting-tenant': 'acme', 'assent-acting-channel': 'pigeon' }) }),
    ).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: expect.stringContaining('assent-acting-channel') });
    // Without the headers the notifier is a service, and services do not vote.
    await expect((await notifier()).approve({ tenant: 'acme', id, comment: 'ok' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    expect((await (await as('alice')).getRequest({ tenant: 'acme', id })).request?.votes).toEqual([]);
  });

  it('cannot approve where the policy needs a step-up, even when the person has a step-up session', async () => {
    const admin = await as('root', ['admin']);
    await admin.putPolicy({
      tenant: 'acme',
      policy: { id: 'keys', action: 'keys.rotate_root', approvers: ['user:bob'], quorum: 1, grantDurationSeconds: '600', requireStepUpToApprove: true },
    });
    const id = (await (await as('alice')).createRequest({ tenant: 'acme', action: 'keys.rotate_root', resource: 'kms/root', justification: 'yearly' })).request?.id as string;
    const now = Math.floor(Date.now() / 1000);
    await createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, staticToken(await issuer.token({ subject: 'bob', tenant: 'acme', authTime: now, acr: 'mfa', amr: ['pwd', 'otp'] }))).stepUp({
      tenant: 'acme',
    });
    await expect((await notifier()).approve({ tenant: 'acme', id, comment: 'ok' }, viaSlack('bob'))).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      details: expect.stringContaining('which slack cannot give'),
    });
    // Declining needs no step-up: it is taken from chat.
    const declined = await (await notifier()).decline({ tenant: 'acme', id, comment: 'not this week' }, viaSlack('bob'));
    expect(declined.request?.state).toBe(approvalsv1.RequestState.REQUEST_STATE_DECLINED);
  });
});
