// System test: approving where people already are, through the whole platform. The
// notifier mails a routed approver and posts to Slack; bob approves from the email's
// link (confirmation page, then the form), carol from Slack (button, modal, submit),
// each as themselves at approvals (acting-for), after a tenant admin set bob's address
// and linked carol's Slack account with assentctl; real authz, OpenFGA, NATS and Redis,
// a real SMTP server and the local Slack-compatible server. An unmapped Slack user's
// attempt changes nothing and is on the event stream for audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrpcClient, openChannel, parseEvent, staticToken, type Channel } from '@assent/platform';
import { approvalsv1, authzv1 } from '@assent/proto';
import {
  signedSlackInteraction,
  startOpenFga,
  startSlackServer,
  startSmtpSink,
  startTestIssuer,
  uniqueRoot,
  type RunningOpenFga,
  type SlackServer,
  type SmtpSink,
  type TestIssuer,
} from '@assent/testkit';
import { run } from '@assent/cli';
import { startPlatform, type Platform } from './support/platform.js';

const root = uniqueRoot();
const tenant = 'acme';
const SIGNING_SECRET = 'system-test-slack-signing-secret';
const TEAM = 'T0ACME';
const { APPROVED, PENDING } = { APPROVED: approvalsv1.RequestState.REQUEST_STATE_APPROVED, PENDING: approvalsv1.RequestState.REQUEST_STATE_PENDING };

let fga: RunningOpenFga | undefined;
let issuer: TestIssuer | undefined;
let slack: SlackServer | undefined;
let smtp: SmtpSink | undefined;
let platform: Platform | undefined;
const channels: Channel[] = [];

/** assentctl in-process against this platform; throws with what it printed on a non-zero exit. */
async function assentctl(...args: string[]): Promise<string> {
  const p = platform as Platform;
  let out = '';
  let err = '';
  const env = {
    ASSENT_DEV_ISSUER_KEY_FILE: (issuer as TestIssuer).keyFile,
    ASSENT_APPROVALS_ADDR: p.addrOf('approvals', 0),
    ASSENT_AUTHZ_ADDR: p.addrOf('authz', 0),
    ASSENT_NOTIFIER_ADDR: p.addrOf('notifier', 0),
  };
  const code = await run([...args, '--tenant', tenant], { stdout: (s) => (out += s), stderr: (s) => (err += s), env, cwd: process.cwd() });
  if (code !== 0) throw new Error(`assentctl ${args.join(' ')} exited ${code}: ${err}`);
  return out;
}

const approvalsAs = async (subject: string, roles: string[] = []) => {
  const channel = openChannel((platform as Platform).addr('approvals'));
  channels.push(channel);
  return createGrpcClient(approvalsv1.ApprovalsServiceDefinition, channel, staticToken(await (issuer as TestIssuer).token({ subject, tenant, roles })));
};
const notifierBase = () => `http://127.0.0.1:${(platform as Platform).replicas.notifier[0]?.httpPort}`;

beforeAll(async () => {
  [fga, issuer, slack, smtp] = await Promise.all([startOpenFga(), startTestIssuer(), startSlackServer({ token: 'xoxb-channels' }), startSmtpSink()]);
  platform = await startPlatform({
    root,
    replicas: 1,
    openFgaEnv: fga.authzEnv,
    issuer,
    slackUrl: slack.url,
    slackToken: slack.token,
    env: {
      notifier: {
        NOTIFIER_SMTP_HOST: smtp.host,
        NOTIFIER_SMTP_PORT: String(smtp.port),
        NOTIFIER_EMAIL_LINK_SECRET: 'system-test-email-link-secret-0123456789',
        NOTIFIER_SLACK_SIGNING_SECRET: SIGNING_SECRET,
        NOTIFIER_SLACK_TENANT: tenant,
        NOTIFIER_SLACK_DEFAULT_CHANNEL: 'approvals',
      },
    },
  });
  const p = platform;
  const authzChannel = openChannel(p.addr('authz'));
  channels.push(authzChannel);
  const platformAdmin = createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, staticToken(await issuer.token({ subject: 'root', roles: ['platform-admin'] })));
  await platformAdmin.createTenant({ id: tenant, displayName: 'Acme' });
  for (const user of ['alice', 'bob', 'carol', 'dave']) await platformAdmin.addTenantMember({ tenant, user });
  await platformAdmin.addGroupMember({ tenant, group: 'finance', user: 'dave' });
  // A tenant admin says how bob and carol are reached, through assentctl and the notifier's RPCs.
  await assentctl('contacts', 'email', 'set', 'bob', 'bob@acme.test', '--as', 'root', '--roles', 'admin');
  await assentctl('contacts', 'slack', 'link', 'carol', '--team', TEAM, '--slack-user', 'U0CAROL', '--as', 'root', '--roles', 'admin');
  // alice requests: linked, she hears the outcome in a DM.
  await assentctl('contacts', 'slack', 'link', 'alice', '--team', TEAM, '--slack-user', 'U0ALICE', '--as', 'root', '--roles', 'admin');
  expect(await assentctl('contacts', 'slack', 'list', '--as', 'root', '--roles', 'admin')).toContain('U0CAROL');
  await assentctl('contacts', 'email', 'set', 'dave', 'dave@acme.test', '--as', 'root', '--roles', 'admin');
  await expect(assentctl('contacts', 'email', 'set', 'bob', 'not-an-address', '--as', 'root', '--roles', 'admin')).rejects.toThrow(/address: must be one email address/);
  await expect(assentctl('contacts', 'email', 'set', 'bob', 'mallory@evil.test', '--as', 'alice')).rejects.toThrow(/needs the admin role/);
  const admin = await approvalsAs('root', ['admin']);
  await admin.putPolicy({ tenant, policy: { id: 'payouts', action: 'payouts.change_details', approvers: ['user:bob', 'user:carol'], quorum: 1, grantDurationSeconds: '600' } });
  await admin.putPolicy({ tenant, policy: { id: 'vendors', action: 'vendors.onboard', approvers: ['group:finance#member'], quorum: 1, grantDurationSeconds: '600' } });
}, 90_000);

afterAll(async () => {
  channels.forEach((c) => c.close());
  await platform?.stop();
  await Promise.allSettled([fga?.stop(), issuer?.stop(), slack?.close(), smtp?.close()]);
}, 60_000);

async function newRequest(resource: string): Promise<string> {
  const alice = await approvalsAs('alice');
  const { request } = await alice.createRequest({ tenant, action: 'payouts.change_details', resource, justification: 'new bank details' });
  return request?.id as string;
}

const stateOf = async (id: string) => (await (await approvalsAs('alice')).getRequest({ tenant, id })).request;

describe('approving from email and Slack through the platform', () => {
  it('emails the members of a group the policy names (asked of authz), each with their own link', async () => {
    const alice = await approvalsAs('alice');
    const { request } = await alice.createRequest({ tenant, action: 'vendors.onboard', resource: 'vendor/acme-paper', justification: 'new supplier' });
    const s = smtp as SmtpSink;
    await s.waitFor((x) => x.received.some((m) => m.to.includes('dave@acme.test') && m.text.includes('vendors.onboard')), 20_000);
    const mail = s.received.find((m) => m.to.includes('dave@acme.test'));
    expect(mail?.text).toContain(request?.id as string);
    expect(mail?.text).toMatch(/\/email\/open\?token=/);
  }, 60_000);

  it('bob approves from his email: opening the link decides nothing, the form approves as bob', async () => {
    const id = await newRequest('acct/email');
    const s = smtp as SmtpSink;
    await s.waitFor((x) => x.received.some((m) => m.to.includes('bob@acme.test')), 20_000);
    const mail = s.received.find((m) => m.to.includes('bob@acme.test'));
    const link = /https?:\/\/\S+\/email\/open\?token=[^\s"<>]+/.exec(mail?.text ?? '')?.[0];
    expect(link, 'the email carries a link').toBeDefined();
    const opened = await fetch(`${notifierBase()}${new URL(link as string).pathname}${new URL(link as string).search}`, { redirect: 'manual' });
    const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const to = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(await opened.text())?.[1] as string;
    expect(cookie).not.toBe('');
    const page = await fetch(`${notifierBase()}${new URL(to, notifierBase()).pathname}`, { headers: { cookie } });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('payouts.change_details');
    expect((await stateOf(id))?.state, 'opening the link and the page changes nothing').toBe(PENDING);

    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const res = await fetch(`${notifierBase()}${new URL(to, notifierBase()).pathname}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, decision: 'approve', reason: 'matches the ticket' }).toString(),
    });
    expect(res.status).toBeLessThan(400);
    const decided = await stateOf(id);
    expect(decided?.state).toBe(APPROVED);
    expect(decided?.votes[0]).toMatchObject({ approver: 'bob', comment: 'matches the ticket', via: { service: 'service:notifier', channel: approvalsv1.ActingChannel.ACTING_CHANNEL_EMAIL } });
  }, 60_000);

  it('carol approves from Slack: the button opens a modal, its submission approves as carol; an unmapped user changes nothing and is audited', async () => {
    const id = await newRequest('acct/slack');
    const sl = slack as SlackServer;
    await sl.waitFor((x) => [...x.messages.values()].flat().some((m) => JSON.stringify(m.blocks ?? []).includes(id)), 20_000);
    const message = [...sl.messages.values()].flat().find((m) => JSON.stringify(m.blocks ?? []).includes(id));
    const buttons = ((message?.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[]).flatMap((b) => b.elements ?? []);
    const value = buttons.find((b) => b.action_id === 'approve')?.value;
    expect(value, 'the message has an Approve button naming the request').toBe(`${tenant}/${id}`);
    const post = (payload: unknown) => {
      const signed = signedSlackInteraction(SIGNING_SECRET, payload);
      return fetch(`${notifierBase()}/slack/interactivity`, { method: 'POST', headers: signed.headers, body: signed.body });
    };
    const click = (user: string, key: string) => ({
      type: 'block_actions',
      team: { id: TEAM },
      user: { id: user },
      trigger_id: `trigger-${user}`,
      response_url: sl.responseUrl(key),
      actions: [{ action_id: 'approve', block_id: 'assent_approval', value }],
    });

    // mallory's Slack account is linked to nobody in acme.
    const events = (platform as Platform).nats.nc.subscribe(`${root}.evt.${tenant}.notifier.>`, { max: 1 });
    expect((await post(click('U0MALLORY', 'mallory'))).status).toBe(200);
    for await (const m of events) {
      expect(parseEvent(m.data)).toMatchObject({ type: 'assent.notifier.interaction_refused.v1', data: { requestId: id, externalTeam: TEAM, externalUser: 'U0MALLORY', attempted: 'APPROVE' } });
    }
    await sl.waitFor((x) => x.responses.some((r) => r.key === 'mallory'), 5_000);
    expect(sl.views).toHaveLength(0);
    expect((await stateOf(id))?.state).toBe(PENDING);

    expect((await post(click('U0CAROL', 'carol'))).status).toBe(200);
    expect(sl.views).toHaveLength(1);
    const view = sl.views[0]?.view as { callback_id: string; private_metadata: string };
    const submitted = await post({
      type: 'view_submission',
      team: { id: TEAM },
      user: { id: 'U0CAROL' },
      view: { callback_id: view.callback_id, private_metadata: view.private_metadata, state: { values: { reason: { reason: { type: 'plain_text_input', value: 'called the vendor' } } } } },
    });
    expect(submitted.status).toBe(200);
    expect(await submitted.text(), 'no errors shown in the modal').toBe('');
    const decided = await stateOf(id);
    expect(decided?.state).toBe(APPROVED);
    expect(decided?.votes[0]).toMatchObject({ approver: 'carol', comment: 'called the vendor', via: { channel: approvalsv1.ActingChannel.ACTING_CHANNEL_SLACK } });
    // The message is updated: no live Approve button on a decided request.
    await sl.waitFor((x) => [...x.messages.values()].flat().some((m) => JSON.stringify(m.blocks ?? []).includes(id) && !JSON.stringify(m.blocks ?? []).includes('"action_id":"approve"')), 10_000);
    // The requester is told directly: a DM to alice's linked Slack user.
    await sl.waitFor((x) => (x.messages.get(x.dmChannel('U0ALICE')) ?? []).some((m) => m.text.includes(id)), 10_000);
    expect(sl.messages.get(sl.dmChannel('U0ALICE'))?.find((m) => m.text.includes(id))?.text).toMatch(/^Approved: your request payouts\.change_details/);
  }, 60_000);
});
