// System test: approvals and authz as deployed, each through its public entry point.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status } from 'nice-grpc';
import { createGrpcClient, natsServers, openChannel, parseEvent, staticToken, type Channel } from '@assent/platform';
import { approvalsv1, authzv1 } from '@assent/proto';
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
let approvalsConfig: ReturnType<typeof loadConfig>;
let channel: Channel;
let authzChannel: Channel;
let nc: NatsConnection;
const seen: { type: string; subject: string; time: string; data: unknown }[] = [];
let groupAdmin: ReturnType<typeof createGrpcClient<typeof authzv1.AuthzServiceDefinition>>;

const as = async (subject: string, roles: string[] = []) =>
  createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, staticToken(await issuer.token({ subject, tenant: 'acme', roles })));

beforeAll(async () => {
  [fga, issuer] = await Promise.all([startOpenFga(), startTestIssuer()]);
  const env = commonTestEnv(root, issuer);
  authz = await startAuthz(authzConfig({ ...env, AUTHZ_GRPC_PORT: '0', AUTHZ_HTTP_PORT: '0', ...fga.authzEnv, AUTHZ_OPENFGA_STORE_NAME: root }));
  approvalsConfig = loadConfig({ ...env, APPROVALS_GRPC_PORT: '0', APPROVALS_HTTP_PORT: '0', APPROVALS_AUTHZ_ADDR: `127.0.0.1:${authz.grpcPort}` });
  approvals = await startApprovals(approvalsConfig);
  channel = openChannel(`127.0.0.1:${approvals.grpcPort}`);
  authzChannel = openChannel(`127.0.0.1:${authz.grpcPort}`);
  const admin = createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, staticToken(await issuer.token({ subject: 'root', roles: ['platform-admin'] })));
  await admin.createTenant({ id: 'acme', displayName: 'Acme' });
  for (const user of ['alice', 'bob', 'carol', 'dave', 'erin']) await admin.addTenantMember({ tenant: 'acme', user });
  groupAdmin = createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, staticToken(await issuer.token({ subject: 'root', tenant: 'acme', roles: ['admin'] })));
  nc = await connect(natsServers(testEnv.natsUrl));
  const sub = nc.subscribe(`${root}.evt.acme.>`);
  void (async () => {
    for await (const m of sub) {
      const e = parseEvent(m.data);
      seen.push({ type: e.type, subject: e.subject, time: e.time ?? '', data: e.data });
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

describe('approvals with real authz, OpenFGA, NATS and Redis', () => {
  it('creates, approves and grants; the next check is ALLOW', async () => {
    const admin = await as('root', ['admin']);
    const { policy } = await admin.putPolicy({
      tenant: 'acme',
      policy: { id: 'payouts', action: 'payouts.change_details', approvers: ['user:bob', 'user:carol'], quorum: 1, allowSelfApproval: false, requireJustification: true, grantDurationSeconds: '600', slackChannel: 'C1', hash: '' },
    });
    expect(policy?.hash).toMatch(/^[0-9a-f]{64}$/);

    const alice = await as('alice');
    const created = await alice.createRequest({ tenant: 'acme', action: 'payouts.change_details', resource: 'acct/1', justification: 'new bank', idempotencyKey: 'abc' });
    const id = created.request?.id as string;
    expect(created.request?.state).toBe(approvalsv1.RequestState.REQUEST_STATE_PENDING);
    expect(created.request?.policyHash).toBe(policy?.hash);
    const again = await alice.createRequest({ tenant: 'acme', action: 'payouts.change_details', resource: 'acct/1', justification: 'new bank', idempotencyKey: 'abc' });
    expect(again.request?.id).toBe(id);

    await expect(alice.approve({ tenant: 'acme', id, comment: 'mine' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    const approved = await (await as('bob')).approve({ tenant: 'acme', id, comment: 'verified by phone' });
    expect(approved.request?.state).toBe(approvalsv1.RequestState.REQUEST_STATE_APPROVED);
    await expect((await as('carol')).decline({ tenant: 'acme', id, comment: 'too late' })).rejects.toMatchObject({ code: Status.FAILED_PRECONDITION });

    await expect.poll(async () => (await alice.getRequest({ tenant: 'acme', id })).request?.grantExpiresAt, { timeout: 10_000 }).toBeInstanceOf(Date);
    const allowed = await alice.createRequest({ tenant: 'acme', action: 'payouts.change_details', resource: 'acct/1', justification: 'again', idempotencyKey: '' });
    expect(allowed.alreadyAllowed).toBe(true);

    // alice's attempt to approve her own request is on record too (refusals are not transitions, so not ordered with them).
    await expect.poll(() => seen.filter((e) => e.subject === `request/${id}`).map((e) => e.type).sort(), { timeout: 5_000 }).toEqual([
      'assent.approval.decided.v1',
      'assent.approval.requested.v1',
      'assent.approval.vote_refused.v1',
    ]);
    expect(seen.some((e) => e.type === 'assent.grant.issued.v1' && e.subject === `grant/${id}`)).toBe(true);
  });

  it('needs one of finance AND one of security, with groups managed through authz', async () => {
    await groupAdmin.addGroupMember({ tenant: 'acme', group: 'finance-leads', user: 'bob' });
    await groupAdmin.addGroupMember({ tenant: 'acme', group: 'finance-leads', user: 'erin' });
    await groupAdmin.addGroupMember({ tenant: 'acme', group: 'security', user: 'carol' });
    await groupAdmin.addGroupMember({ tenant: 'acme', group: 'security', user: 'erin' });
    await expect(groupAdmin.addGroupMember({ tenant: 'acme', group: 'security', user: 'mallory' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    expect((await groupAdmin.listGroupMembers({ tenant: 'acme', group: 'security', pageSize: 10, pageToken: '' })).users.sort()).toEqual(['carol', 'erin']);
    const admin = await as('root', ['admin']);
    await admin.putPolicy({
      tenant: 'acme',
      policy: approvalsv1.Policy.fromPartial({
        id: 'vendor-payout',
        action: 'payouts.approve_vendor',
        requirements: [
          { name: 'finance', approvers: ['group:finance-leads#member'], quorum: 1 },
          { name: 'security', approvers: ['group:security#member'], quorum: 1 },
        ],
        grantDurationSeconds: '600',
      }),
    });
    const alice = await as('alice');
    // The simulator expands the groups through authz (approvals calls ListGroupMembers as a service).
    const sim = await alice.simulate({ tenant: 'acme', action: 'payouts.approve_vendor' });
    expect(sim.groups.map((g) => [g.subject, [...g.users].sort()])).toEqual([
      ['group:finance-leads#member', ['bob', 'erin']],
      ['group:security#member', ['carol', 'erin']],
    ]);
    expect(sim.timers).toEqual([]);
    const id = (await alice.createRequest({ tenant: 'acme', action: 'payouts.approve_vendor', resource: 'vendor/7', justification: 'new vendor', idempotencyKey: '' })).request?.id as string;
    // erin is in both groups: one person still fills one requirement only.
    expect((await (await as('erin')).approve({ tenant: 'acme', id, comment: 'vendor verified' })).request?.state).toBe(approvalsv1.RequestState.REQUEST_STATE_PENDING);
    await expect((await as('dave')).approve({ tenant: 'acme', id, comment: 'sure' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    // Removing bob from the group takes effect at once, also on this open request.
    await groupAdmin.removeGroupMember({ tenant: 'acme', group: 'finance-leads', user: 'bob' });
    await expect((await as('bob')).approve({ tenant: 'acme', id, comment: 'ok' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    const done = await (await as('carol')).approve({ tenant: 'acme', id, comment: 'security ok' });
    expect(done.request?.state).toBe(approvalsv1.RequestState.REQUEST_STATE_APPROVED);
    expect(done.request?.votes.map((v) => [v.approver, v.eligibleFor])).toEqual([
      ['erin', ['finance', 'security']],
      ['carol', ['security']],
    ]);
  });

  it("files a request in each approver's inbox through their groups, until they act; snoozed ones come back", async () => {
    const alice = await as('alice');
    const id = (await alice.createRequest({ tenant: 'acme', action: 'payouts.approve_vendor', resource: 'vendor/inbox', justification: 'new vendor', idempotencyKey: '' })).request?.id as string;
    const pending = async (who: string) =>
      (await (await as(who)).listInbox({ tenant: 'acme', tab: approvalsv1.InboxTab.INBOX_TAB_PENDING, action: '', requester: '', overdueOnly: false, pageSize: 50, pageToken: '' })).items.map((i) => i.request?.id);
    // The index is written by the relay just after the transition: wait for it, no longer.
    await expect.poll(() => pending('erin'), { timeout: 5_000 }).toContain(id);
    expect(await pending('carol')).toContain(id);
    expect(await pending('alice')).not.toContain(id);
    const erin = await as('erin');
    await erin.approve({ tenant: 'acme', id, comment: 'finance ok' });
    await expect.poll(() => pending('erin'), { timeout: 5_000 }).not.toContain(id);
    const done = await erin.listInbox({ tenant: 'acme', tab: approvalsv1.InboxTab.INBOX_TAB_DONE, action: '', requester: '', overdueOnly: false, pageSize: 50, pageToken: '' });
    expect(done.items.map((i) => i.request?.id)).toContain(id);
    const carol = await as('carol');
    await carol.snooze({ tenant: 'acme', id, preset: approvalsv1.SnoozePreset.SNOOZE_PRESET_UNSPECIFIED, until: new Date(Date.now() + 1_500) });
    await expect.poll(() => pending('carol'), { timeout: 5_000 }).not.toContain(id);
    await expect.poll(() => pending('carol'), { timeout: 10_000 }).toContain(id);
    const bulk = await carol.bulkAct({ tenant: 'acme', ids: [id], action: approvalsv1.BulkActionKind.BULK_ACTION_KIND_APPROVE, reason: 'security ok', preset: 0, until: undefined });
    expect(bulk.results.map((r) => [r.ok, r.request?.state])).toEqual([[true, approvalsv1.RequestState.REQUEST_STATE_APPROVED]]);
  });

  it('rebuilds the inboxes from the request state stream after Redis loses them', async () => {
    const alice = await as('alice');
    const id = (await alice.createRequest({ tenant: 'acme', action: 'payouts.approve_vendor', resource: 'vendor/rebuild', justification: 'new vendor', idempotencyKey: '' })).request?.id as string;
    const pending = async () =>
      (await (await as('carol')).listInbox({ tenant: 'acme', tab: approvalsv1.InboxTab.INBOX_TAB_PENDING, action: '', requester: '', overdueOnly: false, pageSize: 100, pageToken: '' })).items.map((i) => i.request?.id);
    await expect.poll(pending, { timeout: 5_000 }).toContain(id);
    // Redis loses everything (as a restart without persistence would), then approvals restarts.
    await cleanupRedis(root);
    expect(await pending()).not.toContain(id);
    await approvals.stop();
    approvals = await startApprovals(approvalsConfig);
    channel.close();
    channel = openChannel(`127.0.0.1:${approvals.grpcPort}`);
    await expect.poll(pending, { timeout: 10_000 }).toContain(id);
  });

  it('fires reminder, escalation and expiry through the scheduler, each once and on time', async () => {
    const admin = await as('root', ['admin']);
    await admin.putPolicy({
      tenant: 'acme',
      policy: approvalsv1.Policy.fromPartial({
        id: 'timed',
        action: 'keys.rotate_timed',
        approvers: ['user:bob'],
        grantDurationSeconds: '600',
        schedule: { reminderAfterSeconds: ['1'], escalation: [{ afterSeconds: '2', approvers: ['user:dave'], mode: approvalsv1.EscalationMode.ESCALATION_MODE_ADD }], expireAfterSeconds: '3' },
      }),
    });
    const alice = await as('alice');
    const created = (await alice.createRequest({ tenant: 'acme', action: 'keys.rotate_timed', resource: 'key/1', justification: 'rotation', idempotencyKey: '' })).request;
    const id = created?.id as string;
    const start = created?.createdAt?.getTime() ?? 0;
    const stream = alice.watchRequest({ tenant: 'acme', id });
    let last: approvalsv1.ApprovalRequest | undefined;
    for await (const m of stream) last = m.request;
    expect(last?.state).toBe(approvalsv1.RequestState.REQUEST_STATE_EXPIRED);
    await expect.poll(() => seen.filter((e) => e.subject === `request/${id}`).length, { timeout: 5_000 }).toBe(4);
    const timers = seen.filter((e) => e.subject === `request/${id}` && e.type !== 'assent.approval.requested.v1');
    expect(timers.map((e) => e.type)).toEqual(['assent.approval.reminder.v1', 'assent.approval.escalated.v1', 'assent.approval.expired.v1']);
    // Each fired within a second of its time (the scheduler's promise), and never early.
    timers.forEach((e, i) => {
      const drift = new Date(e.time).getTime() - (start + (i + 1) * 1000);
      expect(drift, e.type).toBeGreaterThanOrEqual(0);
      expect(drift, e.type).toBeLessThan(1000);
    });
    expect(last?.requirements[0]?.approvers).toEqual(['user:bob', 'user:dave']);
    await expect((await as('bob')).approve({ tenant: 'acme', id, comment: 'late' })).rejects.toMatchObject({ code: Status.FAILED_PRECONDITION });
  });

  it('streams a request as server-sent events to its caller, with the same access rules as WatchRequest', async () => {
    const alice = await as('alice');
    const id = (await alice.createRequest({ tenant: 'acme', action: 'payouts.change_details', resource: 'acct/sse', justification: 'new bank', idempotencyKey: '' })).request?.id as string;
    const url = `http://127.0.0.1:${approvals.httpPort}/v1/tenants/acme/requests/${id}/watch`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${await issuer.token({ subject: 'alice', tenant: 'acme' })}` } });
    expect(res.status).toBe(200);
    const body = res.text();
    await (await as('bob')).decline({ tenant: 'acme', id, comment: 'wrong account' });
    const text = await body;
    expect(text).toContain('"state":"REQUEST_STATE_PENDING"');
    expect(text).toMatch(/event: end\ndata: \{"state":"REQUEST_STATE_DECLINED","revision":"2"\}/);
    expect((await fetch(url)).status).toBe(401);
    const other = await fetch(url, { headers: { authorization: `Bearer ${await issuer.token({ subject: 'mallory', tenant: 'globex' })}` } });
    expect(other.status).toBe(403);
  });

  it('maps authz errors: unregistered action and bad fields INVALID_ARGUMENT, non-member PERMISSION_DENIED', async () => {
    const alice = await as('alice');
    await expect(alice.createRequest({ tenant: 'acme', action: 'keys.rotate', resource: 'k/1', justification: 'x', idempotencyKey: '' })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('"keys.rotate" is not a registered action'),
    });
    await expect(alice.createRequest({ tenant: 'acme', action: 'BAD', resource: '', justification: '', idempotencyKey: '' })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    const mallory = await as('mallory');
    await expect(mallory.createRequest({ tenant: 'acme', action: 'payouts.change_details', resource: 'acct/2', justification: 'x', idempotencyKey: '' })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    const list = await alice.listRequests({ tenant: 'acme', state: approvalsv1.RequestState.REQUEST_STATE_UNSPECIFIED, pageSize: 10, pageToken: '' });
    expect(list.requests).toHaveLength(6);
  });

  it('ticks the checklist, edits a schema-checked parameter and defers the start: OpenFGA keeps the grant inert until then', async () => {
    const admin = await as('root', ['admin']);
    await admin.putPolicy({
      tenant: 'acme',
      policy: {
        id: 'refunds',
        action: 'refunds.issue',
        approvers: ['user:bob', 'user:carol'],
        quorum: 1,
        grantDurationSeconds: '600',
        acknowledgements: [{ id: 'checked-order', text: 'I checked the order' }],
        approverEditable: ['parameters.amount'],
        parametersSchema: { type: 'object', properties: { amount: { type: 'number', maximum: 500 } }, required: ['amount'], additionalProperties: false },
      },
    });
    const alice = await as('alice');
    await expect(alice.createRequest({ tenant: 'acme', action: 'refunds.issue', resource: 'order/9', parameters: { amount: 900 } })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      details: expect.stringContaining('parameters.amount'),
    });
    const start = new Date(Date.now() + 4_000);
    const created = await alice.createRequest({ tenant: 'acme', action: 'refunds.issue', resource: 'order/9', parameters: { amount: 300 }, effectiveAt: start });
    const id = created.request?.id as string;
    const bob = await as('bob');
    await expect(bob.approve({ tenant: 'acme', id, comment: 'ok' })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, details: expect.stringContaining('checked-order') });
    const approved = await bob.approve({ tenant: 'acme', id, comment: 'partial refund', acknowledged: ['checked-order'], edits: { parameters: { amount: 150 } } });
    // The edit changed what is asked, so it opened submission 2; bob's approval on it decides.
    expect(approved.request).toMatchObject({ state: approvalsv1.RequestState.REQUEST_STATE_DEFERRED, parameters: { amount: 150 }, submission: 2 });
    expect(approved.request?.edits[0]?.changes).toEqual([{ field: 'parameters.amount', from: 300, to: 150 }]);
    expect(approved.request?.votes[0]?.acknowledged).toEqual(['checked-order']);
    await expect.poll(async () => (await alice.getRequest({ tenant: 'acme', id })).request?.grantExpiresAt, { timeout: 10_000 }).toEqual(new Date(start.getTime() + 600_000));
    const check = createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, staticToken(await issuer.token({ subject: 'alice', tenant: 'acme' })));
    const asked = () => check.check({ tenant: 'acme', principal: '', action: 'refunds.issue', resource: 'order/9' });
    if (Date.now() < start.getTime() - 500) expect((await asked()).decision).toBe(authzv1.Decision.DECISION_NEEDS_APPROVAL);
    await expect.poll(async () => (await alice.getRequest({ tenant: 'acme', id })).request?.state, { timeout: 15_000 }).toBe(approvalsv1.RequestState.REQUEST_STATE_APPROVED);
    await expect.poll(async () => (await asked()).decision, { timeout: 5_000 }).toBe(authzv1.Decision.DECISION_ALLOW);
    expect(seen.filter((e) => e.subject === `request/${id}`).map((e) => e.type)).toEqual(expect.arrayContaining(['assent.approval.edited.v1', 'assent.approval.effective.v1']));
  });

  it('lets a delegate act for an away approver through the RPCs, and extends the grant in OpenFGA with the same start', async () => {
    const admin = await as('root', ['admin']);
    await admin.putPolicy({
      tenant: 'acme',
      policy: { id: 'db-access', action: 'db.prod_read', approvers: ['user:carol'], quorum: 1, grantDurationSeconds: '600', maxGrantDurationSeconds: '1800' },
    });
    const carol = await as('carol');
    const erin = await as('erin');
    const { delegation } = await carol.setDelegation({ tenant: 'acme', to: 'erin', endsAt: new Date(Date.now() + 86_400_000), reason: 'conference' });
    expect((await erin.listDelegations({ tenant: 'acme' })).received.map((d) => d.id)).toEqual([delegation?.id]);
    const alice = await as('alice');
    const id = (await alice.createRequest({ tenant: 'acme', action: 'db.prod_read', resource: 'db/orders', justification: 'incident 42' })).request?.id as string;
    const approved = await erin.approve({ tenant: 'acme', id, comment: 'for carol: incident is real' });
    expect(approved.request?.votes[0]).toMatchObject({ approver: 'erin', onBehalfOf: 'carol' });
    await carol.endDelegation({ tenant: 'acme', id: delegation?.id ?? '' });

    await expect.poll(async () => (await alice.getRequest({ tenant: 'acme', id })).request?.grantExpiresAt, { timeout: 10_000 }).toBeInstanceOf(Date);
    const first = (await alice.getRequest({ tenant: 'acme', id })).request;
    const extended = await alice.extendGrant({ tenant: 'acme', id, extendBySeconds: '900', reason: 'incident runs long' });
    expect(extended.request?.grantExpiresAt).toEqual(new Date((first?.grantExpiresAt?.getTime() ?? 0) + 900_000));
    const check = createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, staticToken(await issuer.token({ subject: 'alice', tenant: 'acme' })));
    await expect.poll(async () => (await check.check({ tenant: 'acme', principal: '', action: 'db.prod_read', resource: 'db/orders' })).grantExpiresAt, { timeout: 5_000 }).toEqual(
      extended.request?.grantExpiresAt,
    );
    await expect(alice.extendGrant({ tenant: 'acme', id, extendBySeconds: '600', reason: 'more' })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    expect(seen.filter((e) => e.type.startsWith('assent.approval.delegation_')).map((e) => e.type)).toEqual(['assent.approval.delegation_set.v1', 'assent.approval.delegation_ended.v1']);
  });

  it('needs a step-up to approve and to act where the policy says so, with the session in Redis for every replica', async () => {
    const admin = await as('root', ['admin']);
    await admin.putPolicy({
      tenant: 'acme',
      policy: { id: 'keys', action: 'keys.rotate_root', approvers: ['user:bob'], quorum: 1, grantDurationSeconds: '600', requireStepUpToAct: true, requireStepUpToApprove: true },
    });
    const alice = await as('alice');
    const id = (await alice.createRequest({ tenant: 'acme', action: 'keys.rotate_root', resource: 'kms/root', justification: 'yearly rotation' })).request?.id as string;
    const bob = await as('bob');
    await expect(bob.approve({ tenant: 'acme', id, comment: 'ok' })).rejects.toMatchObject({ code: Status.FAILED_PRECONDITION, details: expect.stringContaining('needs a step-up session') });
    const authzAs = async (claims: Parameters<TestIssuer['token']>[0]) => createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, staticToken(await issuer.token({ tenant: 'acme', ...claims })));
    const now = () => Math.floor(Date.now() / 1000);
    // A password-only sign-in, or one too old, opens nothing.
    await expect((await authzAs({ subject: 'bob', authTime: now(), acr: 'pwd', amr: ['pwd'] })).stepUp({ tenant: 'acme' })).rejects.toMatchObject({
      code: Status.UNAUTHENTICATED,
      details: expect.stringContaining('insufficient_user_authentication'),
    });
    await expect((await authzAs({ subject: 'bob', authTime: now() - 3_600, acr: 'mfa' })).stepUp({ tenant: 'acme' })).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    const session = await (await authzAs({ subject: 'bob', authTime: now(), acr: 'mfa', amr: ['pwd', 'otp'] })).stepUp({ tenant: 'acme' });
    expect(session.session).toMatchObject({ principal: 'bob', acr: 'mfa' });
    const approved = await bob.approve({ tenant: 'acme', id, comment: 'rotation is due' });
    expect(approved.request?.state).toBe(approvalsv1.RequestState.REQUEST_STATE_APPROVED);
    await expect.poll(async () => (await alice.getRequest({ tenant: 'acme', id })).request?.grantExpiresAt, { timeout: 10_000 }).toBeInstanceOf(Date);
    const check = async () => (await (await authzAs({ subject: 'alice' })).check({ tenant: 'acme', principal: '', action: 'keys.rotate_root', resource: 'kms/root' })).decision;
    expect(await check()).toBe(authzv1.Decision.DECISION_NEEDS_STEP_UP);
    await (await authzAs({ subject: 'alice', authTime: now(), amr: ['hwk'] })).stepUp({ tenant: 'acme' });
    expect(await check()).toBe(authzv1.Decision.DECISION_ALLOW);
    expect(seen.filter((e) => e.type === 'assent.authz.stepped_up.v1').length).toBeGreaterThanOrEqual(2);
    expect(seen.some((e) => e.type === 'assent.approval.vote_refused.v1' && (e.data as { code?: string }).code === 'STEP_UP_REQUIRED')).toBe(true);
  });
});
