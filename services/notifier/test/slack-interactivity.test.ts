import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FailedPreconditionError, PermissionDeniedError, createLogger } from '@assent/platform';
import { signedSlackInteraction } from '@assent/testkit';
import { MemoryReplayGuard, MemorySlackApprovals, MemorySlackAttemptAudit, MemorySlackInteractionApi, MemorySlackUserDirectory } from '../src/adapters/memory/slack-interaction.js';
import { slackInteractivityHandler } from '../src/transport/http/slack-interactivity.js';

const secret = 'test-signing-secret';
const id = '01J9Z8Y7X6W5V4T3S2R1Q0P9N8';
let server: Server;
let url = '';
let users: MemorySlackUserDirectory;
let api: MemorySlackInteractionApi;
let approvals: MemorySlackApprovals;
let audit: MemorySlackAttemptAudit;

beforeAll(async () => {
  server = createServer((req, res) => {
    void Promise.resolve(current(req, res)).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/slack/interactivity`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let current: ReturnType<typeof slackInteractivityHandler>;
beforeEach(async () => {
  users = new MemorySlackUserDirectory();
  await users.set('acme', 'T0ACME', 'U0BOB', 'bob');
  api = new MemorySlackInteractionApi();
  approvals = new MemorySlackApprovals();
  audit = new MemorySlackAttemptAudit();
  current = slackInteractivityHandler({ signingSecret: secret, deps: { users, api, approvals, audit }, replay: new MemoryReplayGuard(), logger: createLogger('test', 'silent') });
});

const post = (signed: { body: string; headers: Record<string, string> }) => fetch(url, { method: 'POST', headers: signed.headers, body: signed.body });
const click = (user: string, actionId: string, team = 'T0ACME') => ({
  type: 'block_actions',
  team: { id: team },
  user: { id: user },
  trigger_id: `trigger-${user}-${actionId}`,
  response_url: 'https://hooks.slack.example/actions/1',
  actions: [{ action_id: actionId, block_id: 'assent_approval', value: `acme/${id}` }],
});
const submit = (user: string, decision: string, reason: string, team = 'T0ACME') => ({
  type: 'view_submission',
  team: { id: team },
  user: { id: user },
  view: { callback_id: 'assent_decide', private_metadata: JSON.stringify({ tenant: 'acme', id, decision }), state: { values: { reason: { reason: { type: 'plain_text_input', value: reason } } } } },
});

describe('POST /slack/interactivity', () => {
  it('a mapped approver pressing Approve gets a modal asking why; submitting it approves as that person', async () => {
    expect((await post(signedSlackInteraction(secret, click('U0BOB', 'approve')))).status).toBe(200);
    expect(api.modals).toHaveLength(1);
    expect(api.modals[0]).toMatchObject({ triggerId: 'trigger-U0BOB-approve', view: { type: 'modal', callback_id: 'assent_decide', submit: { text: 'Approve' } } });
    const res = await post(signedSlackInteraction(secret, submit('U0BOB', 'APPROVE', 'verified by phone')));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(approvals.acted).toEqual([{ tenant: 'acme', principal: 'bob', requestId: id, decision: 'APPROVE', reason: 'verified by phone' }]);
  });

  it('opens a modal for each of Decline, Request changes and Comment', async () => {
    for (const action of ['decline', 'request_changes', 'comment']) expect((await post(signedSlackInteraction(secret, click('U0BOB', action)))).status).toBe(200);
    expect(api.modals.map((m) => JSON.parse(m.view.private_metadata) as { decision: string }).map((m) => m.decision)).toEqual(['DECLINE', 'REQUEST_CHANGES', 'COMMENT']);
  });

  it('an unmapped user, or one of another workspace, gets an ephemeral answer, nothing is done, and the attempt is audited', async () => {
    expect((await post(signedSlackInteraction(secret, click('U0MALLORY', 'approve')))).status).toBe(200);
    expect((await post(signedSlackInteraction(secret, click('U0BOB', 'approve', 'T0OTHER')))).status).toBe(200);
    expect(api.modals).toEqual([]);
    expect(api.ephemeral).toHaveLength(2);
    expect(api.ephemeral[0]?.text).toMatch(/not linked to an Assent user in tenant `acme`.*nothing was changed/);
    expect(audit.refusals.map((r) => [r.slackTeam, r.slackUser, r.decision])).toEqual([
      ['T0ACME', 'U0MALLORY', 'APPROVE'],
      ['T0OTHER', 'U0BOB', 'APPROVE'],
    ]);
    const res = await post(signedSlackInteraction(secret, submit('U0MALLORY', 'APPROVE', 'me')));
    expect(await res.json()).toMatchObject({ response_action: 'errors', errors: { reason: expect.stringContaining('not linked') } });
    expect(approvals.acted).toEqual([]);
  });

  it("shows approvals' refusal in the modal (not eligible, needs a step-up), and asks for a reason", async () => {
    approvals.refuse = new PermissionDeniedError('bob is not among the approvers of request x');
    expect(await (await post(signedSlackInteraction(secret, submit('U0BOB', 'APPROVE', 'ok')))).json()).toEqual({
      response_action: 'errors',
      errors: { reason: 'Not approved: bob is not among the approvers of request x' },
    });
    approvals.refuse = new FailedPreconditionError('approving request x needs a step-up, which slack cannot give', 'STEP_UP_REQUIRED');
    expect(await (await post(signedSlackInteraction(secret, submit('U0BOB', 'APPROVE', 'ok, really')))).json()).toMatchObject({ errors: { reason: expect.stringContaining('step-up') } });
    expect(await (await post(signedSlackInteraction(secret, submit('U0BOB', 'DECLINE', '   ')))).json()).toMatchObject({ errors: { reason: expect.stringContaining('reason is required') } });
    expect(approvals.acted).toEqual([]);
  });

  it('refuses a bad signature, a stale timestamp and a replay, doing nothing', async () => {
    const forged = signedSlackInteraction('not-the-secret', click('U0BOB', 'approve'));
    expect((await post(forged)).status).toBe(401);
    const stale = signedSlackInteraction(secret, click('U0BOB', 'approve'), Math.floor(Date.now() / 1000) - 6 * 60);
    expect((await post(stale)).status).toBe(401);
    const tampered = signedSlackInteraction(secret, click('U0BOB', 'approve'));
    expect((await post({ ...tampered, body: tampered.body.replace('U0BOB', 'U0EVE') })).status).toBe(401);
    expect(api.modals).toEqual([]);
    const once = signedSlackInteraction(secret, submit('U0BOB', 'APPROVE', 'ok'));
    expect((await post(once)).status).toBe(200);
    expect((await post(once)).status).toBe(409);
    expect(approvals.acted).toHaveLength(1);
  });
});
