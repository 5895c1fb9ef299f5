/**
 * The whole approval path, end to end, on real NATS, Redis and OpenFGA with all
 * five services, driven by assentctl as a user would:
 * request → authz/OpenFGA → requested event → Slack notification → approve →
 * decided event → grant (next check ALLOW) → audit record → signed webhook.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { run } from '@assent/cli';
import { startApprovals, type RunningApprovals } from '@assent/approvals';
import { loadConfig as approvalsConfig } from '@assent/approvals/config';
import { startAudit, type RunningAudit } from '@assent/audit';
import { loadConfig as auditConfig } from '@assent/audit/config';
import { startAuthz, type RunningAuthz } from '@assent/authz';
import { loadConfig as authzConfig } from '@assent/authz/config';
import { startDelivery, type RunningDelivery } from '@assent/delivery';
import { loadConfig as deliveryConfig } from '@assent/delivery/config';
import { startNotifier, type RunningNotifier } from '@assent/notifier';
import { loadConfig as notifierConfig } from '@assent/notifier/config';
import {
  cleanupNats,
  cleanupRedis,
  commonTestEnv,
  startOpenFga,
  startSlackServer,
  startTestIssuer,
  startWebhookReceiver,
  uniqueRoot,
  type RunningOpenFga,
  type SlackServer,
  type TestIssuer,
  type WebhookReceiver,
} from '@assent/testkit';

const repo = resolve(import.meta.dirname, '../..');
const root = uniqueRoot();
let fga: RunningOpenFga;
let issuer: TestIssuer;
let slack: SlackServer;
let hooks: WebhookReceiver;
let authz: RunningAuthz;
let approvals: RunningApprovals;
let audit: RunningAudit;
let delivery: RunningDelivery;
let notifier: RunningNotifier;
let cliEnv: Record<string, string>;

/** Runs assentctl in-process; returns exit code and what it printed. */
async function assentctl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run([...args, '--tenant', 'acme'], { stdout: (s) => (out += s), stderr: (s) => (err += s), env: cliEnv, cwd: repo });
  return { code, out, err };
}
async function ok(...args: string[]): Promise<string> {
  const r = await assentctl(...args);
  expect(r.err, `assentctl ${args.join(' ')}`).not.toMatch(/^error:/m);
  expect(r.code, `assentctl ${args.join(' ')}: ${r.err}`).toBe(0);
  return r.out;
}
const json = async <T>(...args: string[]): Promise<T> => JSON.parse(await ok(...args, '-o', 'json')) as T;

beforeAll(async () => {
  [fga, issuer, slack, hooks] = await Promise.all([startOpenFga(), startTestIssuer(), startSlackServer(), startWebhookReceiver()]);
  const env = commonTestEnv(root, issuer);
  const p = (svc: string) => ({ [`${svc}_GRPC_PORT`]: '0', [`${svc}_HTTP_PORT`]: '0' });
  authz = await startAuthz(authzConfig({ ...env, ...p('AUTHZ'), ...fga.authzEnv, AUTHZ_OPENFGA_STORE_NAME: root }));
  [approvals, audit, delivery] = await Promise.all([
    startApprovals(approvalsConfig({ ...env, ...p('APPROVALS'), APPROVALS_AUTHZ_ADDR: `127.0.0.1:${authz.grpcPort}` })),
    startAudit(auditConfig({ ...env, ...p('AUDIT') })),
    startDelivery(deliveryConfig({ ...env, ...p('DELIVERY'), DELIVERY_ALLOW_PRIVATE_TARGETS: 'true' })),
  ]);
  notifier = await startNotifier(
    notifierConfig({ ...env, ...p('NOTIFIER'), NOTIFIER_SLACK_API_URL: slack.url, NOTIFIER_SLACK_BOT_TOKEN: slack.token, NOTIFIER_SLACK_TENANT: 'acme', NOTIFIER_SLACK_CHANNELS: '*' }),
  );
  cliEnv = {
    ASSENT_DEV_ISSUER_KEY_FILE: issuer.keyFile,
    ASSENT_APPROVALS_ADDR: `127.0.0.1:${approvals.grpcPort}`,
    ASSENT_AUTHZ_ADDR: `127.0.0.1:${authz.grpcPort}`,
    ASSENT_AUDIT_ADDR: `127.0.0.1:${audit.grpcPort}`,
    ASSENT_DELIVERY_ADDR: `127.0.0.1:${delivery.grpcPort}`,
    ASSENT_NOTIFIER_ADDR: `127.0.0.1:${notifier.grpcPort}`,
  };
}, 120_000);

afterAll(async () => {
  for (const s of [notifier, delivery, audit, approvals, authz]) await s?.stop();
  await Promise.all([fga?.stop(), issuer?.stop(), slack?.close(), hooks?.close()]);
  await Promise.all([cleanupNats(root), cleanupRedis(root)]);
});

describe('one approval, end to end', () => {
  it('flows from request to grant, Slack, audit and a signed webhook', async () => {
    // Platform admin sets up the tenant, its members and the policy from the example file.
    const admin = ['--as', 'root', '--roles', 'platform-admin'];
    await ok('tenant', 'create', 'acme', '--display-name', 'Acme', ...admin);
    for (const u of ['alice', 'bob', 'carol']) await ok('tenant', 'add-member', u, ...admin);
    await ok('policy', 'apply', '-f', 'packages/cli/examples/payouts-policy.yaml', ...admin);
    const endpoint = await json<{ endpoint: { id: string; secret: string } }>('webhook', 'create', '--url', `${hooks.url}/assent`, ...admin.slice(0, 2), '--roles', 'admin');
    hooks.setSecret(endpoint.endpoint.secret);

    // Before approval, authz says the action needs one.
    const before = await json<{ decision: string }>('authz', 'check', '--as', 'alice', '--action', 'payouts.change_details', '--resource', 'payout-account/42');
    expect(before.decision).toBe('DECISION_NEEDS_APPROVAL');

    // Alice asks.
    const created = await json<{ request: { id: string; state: string; policyId: string } }>(
      'request', 'create', '--as', 'alice', '--action', 'payouts.change_details', '--resource', 'payout-account/42', '--justification', 'vendor changed bank',
    );
    const id = created.request.id;
    expect(created.request).toMatchObject({ state: 'REQUEST_STATE_PENDING', policyId: 'payout-details-change' });

    // The approvers' Slack channel gets the request with Approve / Decline buttons.
    await slack.waitFor((s) => s.succeeded('chat.postMessage').some((c) => JSON.stringify(c.body).includes(id)), 15_000);
    const posted = slack.succeeded('chat.postMessage').find((c) => JSON.stringify(c.body).includes(id));
    expect(slack.channelId(String(posted?.body['channel']))).toBe(slack.channelId('C0PAYOUTS'));
    expect(JSON.stringify(posted?.body['blocks'])).toContain(`acme/${id}`);

    // Alice cannot approve her own request; Bob can.
    const self = await assentctl('request', 'approve', id, '--as', 'alice', '--reason', 'mine');
    expect(self.code).toBe(1);
    expect(self.err).toContain('PERMISSION_DENIED');
    const approved = await ok('request', 'approve', id, '--as', 'bob', '--reason', 'verified by phone');
    expect(approved).toMatch(/state:\s+approved/i);

    // The grant is written: authz now allows Alice, and only on that resource.
    await expect
      .poll(async () => (await json<{ decision: string }>('authz', 'check', '--as', 'alice', '--action', 'payouts.change_details', '--resource', 'payout-account/42')).decision, { timeout: 15_000 })
      .toBe('DECISION_ALLOW');
    const other = await json<{ decision: string }>('authz', 'check', '--as', 'alice', '--action', 'payouts.change_details', '--resource', 'payout-account/43');
    expect(other.decision).toBe('DECISION_NEEDS_APPROVAL');

    // Audit has the lifecycle in a valid hash chain, alice's refused attempt included.
    await expect
      .poll(async () => {
        const page = await json<{ records?: { eventType: string; subject: string; actor: string }[] }>('audit', 'list', '--as', 'alice', '--subject', `request/${id}`);
        return (page.records ?? []).map((r) => `${r.eventType} by ${r.actor}`);
      }, { timeout: 15_000 })
      .toEqual(['assent.approval.requested.v1 by alice', 'assent.approval.vote_refused.v1 by alice', 'assent.approval.decided.v1 by bob']);
    expect(await ok('audit', 'verify', '--as', 'alice')).toMatch(/valid/i);
    // The same records as canonical records, found through the query index: who was refused what, and who decided.
    const refused = await json<{ records?: { actor: string; action: string; outcome: string; category: string; targetId: string; reason: string }[] }>(
      'audit', 'list', '--as', 'alice', '--target', `request/${id}`, '--outcome', 'denied',
    );
    expect(refused.records).toEqual([expect.objectContaining({ actor: 'alice', action: 'approval.vote', outcome: 'denied', category: 'security', targetId: id })]);
    const decisions = await json<{ records?: { actor: string; targetId: string }[] }>('audit', 'list', '--as', 'alice', '--action', 'approval.decide', '--actor', 'bob');
    expect(decisions.records?.map((r) => r.targetId)).toEqual([id]);

    // The webhook endpoint receives the decision, signed per Standard Webhooks.
    const isDecided = (r: { body: string }) => r.body.includes('assent.approval.decided.v1') && r.body.includes(id);
    await expect.poll(() => hooks.requests.some(isDecided), { timeout: 15_000 }).toBe(true);
    const decided = hooks.requests.find(isDecided);
    expect(decided?.verified).toBe(true);
    expect(JSON.parse(decided?.body ?? '{}')).toMatchObject({ type: 'assent.approval.decided.v1', subject: `request/${id}`, tenantid: 'acme' });

    // The Slack message is updated with the outcome.
    await slack.waitFor((s) => s.succeeded('chat.update').length > 0, 15_000);
    const notifications = await ok('notifications', 'list', '--as', 'alice', '--request', id);
    expect(notifications).toContain(id);
  });
});
