import { approvalsv1 } from '@assent/proto';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevIssuerKey, writeDevIssuerKey } from '@assent/platform';
import { startFakeApprovals } from './fake-approvals.js';
import { runCli } from './run-cli.js';

let fake: Awaited<ReturnType<typeof startFakeApprovals>>;
let keyFile: string;
let env: Record<string, string>;

const claims = (authorization: string | undefined) =>
  JSON.parse(Buffer.from((authorization ?? '').replace(/^Bearer /, '').split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
const lastCall = () => fake.calls.at(-1);

beforeAll(async () => {
  fake = await startFakeApprovals();
  keyFile = join(await mkdtemp(join(tmpdir(), 'assentctl-key-')), 'dev-issuer.json');
  await writeDevIssuerKey(keyFile, await createDevIssuerKey('https://issuer.assent.test'));
  env = { ASSENT_APPROVALS_ADDR: fake.address, ASSENT_DEV_ISSUER_KEY_FILE: keyFile };
});

afterAll(async () => {
  await fake?.stop();
});

async function createRequest(...extra: string[]) {
  return runCli(
    ['--as', 'alice', 'request', 'create', '--action', 'payouts.change_details', '--resource', 'payout-account/42', '--justification', 'new bank account', ...extra],
    { env },
  );
}

describe('request create / approve against an ApprovalsService', () => {
  it('create sends a bearer token and prints the id, state and approvers', async () => {
    const { code, stdout, stderr } = await runCli(
      ['--token', 'tok-alice', '--approvals', fake.address, 'request', 'create', '--action', 'payouts.change_details', '--resource', 'payout-account/42', '--justification', 'new bank account', '--idempotency-key', 'k-1'],
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lastCall()).toEqual({
      method: 'createRequest',
      authorization: 'Bearer tok-alice',
      // No --param, --grant-duration or --effective-at: no parameters, the policy's grant length, start on approval.
      request: { tenant: 'acme', action: 'payouts.change_details', resource: 'payout-account/42', justification: 'new bank account', idempotencyKey: 'k-1', parameters: undefined, grantDurationSeconds: '0', effectiveAt: undefined },
    });
    expect(stdout).toMatch(/^id: +01JTESTREQUEST\d{12}$/m);
    expect(stdout).toMatch(/^state: +pending$/m);
    expect(stdout).toMatch(/^requires: +1 of user:bob, user:carol$/m);
    expect(stdout).toMatch(/^created: +2025-01-02T03:04:05\.000Z$/m);
  });

  it('--as mints a dev token for the subject, tenant and roles', async () => {
    const { code } = await createRequest('--tenant', 'globex', '--roles', 'auditor, admin');
    expect(code).toBe(0);
    const call = lastCall();
    expect(call?.request).toMatchObject({ tenant: 'globex' });
    expect(claims(call?.authorization)).toMatchObject({ sub: 'alice', tenant: 'globex', roles: ['auditor', 'admin'], iss: 'https://issuer.assent.test', aud: 'assent' });
  });

  it('--token wins over --as, and ASSENT_TENANT / ASSENT_TOKEN are read from the environment', async () => {
    const { code } = await runCli(['--as', 'alice', 'request', 'list'], { env: { ...env, ASSENT_TOKEN: 'tok-env', ASSENT_TENANT: 'initech' } });
    expect(code).toBe(0);
    expect(lastCall()).toMatchObject({ authorization: 'Bearer tok-env', request: { tenant: 'initech' } });
  });

  it('approve records the vote and prints the approved request with its votes', async () => {
    const created = await createRequest();
    const id = /^id: +(\S+)$/m.exec(created.stdout)?.[1] ?? '';
    const { code, stdout, stderr } = await runCli(['--as', 'bob', 'request', 'approve', id, '--reason', 'verified by phone'], { env });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lastCall()).toMatchObject({ method: 'approve', request: { tenant: 'acme', id, comment: 'verified by phone' } });
    expect(claims(lastCall()?.authorization)).toMatchObject({ sub: 'bob' });
    expect(stdout).toMatch(/^state: +approved$/m);
    expect(stdout).toMatch(/^grant expires: +2025-01-02T04:05:05\.000Z$/m);
    expect(stdout).toMatch(/^history:\n {2}WHO +OUTCOME +SUBMISSION +AT +REASON\n {2}user:bob +approve +1 +2025-01-02T03:05:05\.000Z +verified by phone$/m);
  });

  it('create sends parameters (--params, then each --param over it), the grant length and a later start', async () => {
    const { code, stderr } = await createRequest(
      '--params', '{"amount": 100, "currency": "USD", "order": "A-1"}',
      '--param', 'amount=120', '--param', 'currency=EUR', '--param', 'zip=01234', '--param', 'tags=["urgent"]',
      '--grant-duration', '2h30m',
      '--effective-at', '2026-12-01T10:00:00+01:00',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(lastCall()).toMatchObject({
      method: 'createRequest',
      request: {
        parameters: { amount: 120, currency: 'EUR', order: 'A-1', zip: '01234', tags: ['urgent'] },
        grantDurationSeconds: '9000',
        effectiveAt: new Date('2026-12-01T09:00:00Z'),
      },
    });
    await createRequest('--param', 'amount=120');
    expect(lastCall()?.request).toMatchObject({ parameters: { amount: 120 } });
  });

  it('create refuses a bad --param, --params, --grant-duration or --effective-at, naming the flag, and sends nothing', async () => {
    const before = fake.calls.length;
    for (const [flag, value, message] of [
      ['--param', 'amount', '"amount" is not key=value, e.g. amount=120 or currency=EUR'],
      ['--params', '[1]', 'must be a JSON object'],
      ['--grant-duration', '2 hours', '"2 hours" is not a duration; use e.g. 30m, 1h, 2h30m or a whole number of seconds'],
      ['--effective-at', 'tomorrow', '"tomorrow" is not a time; use RFC 3339 with an offset, e.g. 2026-12-01T09:00:00Z'],
    ] as const) {
      const { code, stderr } = await createRequest(flag, value);
      expect(code, flag).toBe(2);
      expect(stderr, flag).toContain(`error: option '${flag} <`);
      expect(stderr, flag).toContain(`argument '${value}' is invalid. ${message}`);
    }
    expect(fake.calls.length).toBe(before);
  });

  it('approve sends ticked acknowledgements, and edits only when a --set-* option is given', async () => {
    const id = () => createRequest().then((r) => /^id: +(\S+)$/m.exec(r.stdout)?.[1] ?? '');
    const plain = await id();
    expect((await runCli(['--as', 'bob', 'request', 'approve', plain, '--reason', 'ok'], { env })).code).toBe(0);
    expect(lastCall()?.request).toMatchObject({ id: plain, acknowledged: [], edits: undefined });
    const ticked = await id();
    await runCli(['--as', 'bob', 'request', 'approve', ticked, '--reason', 'ok', '--ack', 'checked-order', '--ack', 'customer-contacted'], { env });
    expect(lastCall()?.request).toMatchObject({ acknowledged: ['checked-order', 'customer-contacted'], edits: undefined });
    const edited = await id();
    const res = await runCli(
      ['--as', 'carol', 'request', 'approve', edited, '--reason', 'too high', '--ack', 'checked-order', '--set-param', 'amount=80', '--set-param', 'note=null', '--set-param', 'currency=EUR', '--set-grant-duration', '30m', '--set-effective-at', '2026-12-01T09:00:00Z'],
      { env },
    );
    expect(res.stderr).toBe('');
    expect(lastCall()).toMatchObject({
      method: 'approve',
      request: {
        id: edited,
        comment: 'too high',
        acknowledged: ['checked-order'],
        // null asks the server to remove the parameter.
        edits: { grantDurationSeconds: '1800', effectiveAt: new Date('2026-12-01T09:00:00Z'), parameters: { amount: 80, note: null, currency: 'EUR' } },
      },
    });
    const onlyParam = await id();
    await runCli(['--as', 'carol', 'request', 'approve', onlyParam, '--reason', 'ok', '--set-param', 'amount=80'], { env });
    expect((lastCall()?.request as approvalsv1.ApproveRequest).edits).toEqual({ grantDurationSeconds: undefined, effectiveAt: undefined, parameters: { amount: 80 } });
  });

  it('approve refuses a bad --set-* value, naming the flag; the other verbs do not take them', async () => {
    for (const [flag, value] of [['--set-grant-duration', 'forever'], ['--set-effective-at', '2026-12-01'], ['--set-param', '=80']] as const) {
      const { code, stderr } = await runCli(['--as', 'bob', 'request', 'approve', '01JX', '--reason', 'ok', flag, value], { env });
      expect(code, flag).toBe(2);
      expect(stderr, flag).toContain(`error: option '${flag} <`);
      expect(stderr, flag).toContain(`argument '${value}' is invalid.`);
    }
    const declined = await runCli(['--as', 'bob', 'request', 'decline', '01JX', '--reason', 'no', '--ack', 'checked-order'], { env });
    expect(declined).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown option '--ack'") as unknown });
  });

  it('approve and the other verbs refuse to run without their reason', async () => {
    for (const [verb, flag] of [['approve', '--reason'], ['decline', '--reason'], ['request-changes', '--reason'], ['comment', '--text'], ['resubmit', '--justification'], ['cancel', '--reason']]) {
      const { code, stderr } = await runCli(['--as', 'bob', 'request', verb as string, '01JX'], { env });
      expect(code, verb).toBe(2);
      expect(stderr, verb).toContain(`required option '${flag}`);
    }
  });

  it('request-changes, comment, resubmit and cancel call their RPC with the reason and print the request', async () => {
    const created = await createRequest();
    const id = /^id: +(\S+)$/m.exec(created.stdout)?.[1] ?? '';
    const changes = await runCli(['--as', 'bob', 'request', 'request-changes', id, '--reason', 'attach the letter'], { env });
    expect(changes.code).toBe(0);
    expect(lastCall()).toMatchObject({ method: 'requestChanges', request: { tenant: 'acme', id, comment: 'attach the letter' } });
    expect(changes.stdout).toMatch(/^state: +changes_requested$/m);
    const note = await runCli(['--as', 'alice', 'request', 'comment', id, '--text', 'letter attached'], { env });
    expect(lastCall()).toMatchObject({ method: 'comment', request: { id, comment: 'letter attached' } });
    expect(note.stdout).toMatch(/^ {2}alice +comment +1 +\S+ +letter attached$/m);
    const again = await runCli(['--as', 'alice', 'request', 'resubmit', id, '--justification', 'new bank, letter attached'], { env });
    expect(lastCall()).toMatchObject({ method: 'resubmit', request: { id, justification: 'new bank, letter attached' } });
    expect(again.stdout).toMatch(/^submission: +2$/m);
    const cancelled = await runCli(['--as', 'alice', '-o', 'json', 'request', 'cancel', id, '--reason', 'not needed'], { env });
    expect(lastCall()).toMatchObject({ method: 'cancel', request: { id, reason: 'not needed' } });
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ request: { state: 'REQUEST_STATE_CANCELLED', closedBy: 'alice', closeReason: 'not needed' } });
  });

  it('-o json prints the response as canonical proto JSON', async () => {
    const created = await createRequest('-o', 'json');
    expect(created.code).toBe(0);
    const { request } = JSON.parse(created.stdout) as { request: Record<string, unknown> };
    expect(request).toMatchObject({ state: 'REQUEST_STATE_PENDING', requester: 'alice', createdAt: '2025-01-02T03:04:05.000Z', revision: '1' });
    const approved = await runCli(['--as', 'bob', '-o', 'json', 'request', 'approve', request['id'] as string, '--reason', 'ok'], { env });
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({
      request: { id: request['id'], state: 'REQUEST_STATE_APPROVED', votes: [{ approver: 'user:bob', outcome: 'OUTCOME_APPROVE', at: '2025-01-02T03:05:05.000Z' }] },
    });
  });

  it('says when the action is already allowed instead of opening a request', async () => {
    const { code, stdout } = await runCli(['--as', 'alice', 'request', 'create', '--action', 'reports.read', '--resource', 'report/1'], { env });
    expect(code).toBe(0);
    expect(stdout).toBe('already allowed: active grant until 2025-01-02T04:04:05.000Z\n');
  });

  it('list passes filters and paging, prints a table and the next page token', async () => {
    const { code, stdout } = await runCli(['--as', 'alice', 'request', 'list', '--state', 'approved', '--limit', '5', '--page-token', 'p1'], { env });
    expect(code).toBe(0);
    expect(lastCall()?.request).toEqual({ tenant: 'acme', state: 2, pageSize: 5, pageToken: 'p1' });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +STATE +ACTION +RESOURCE +REQUESTER +CREATED +DUE$/);
    const rows = lines.slice(1, -2);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((l) => /^01JTESTREQUEST\d{12} +approved +payouts\.change_details +payout-account\/42 +(alice|bob) +2025-/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe('more: --page-token page-2');
    await runCli(['--as', 'alice', 'request', 'list', '--state', 'deferred'], { env });
    expect(lastCall()?.request).toMatchObject({ state: approvalsv1.RequestState.REQUEST_STATE_DEFERRED });
  });
});

describe('request errors', () => {
  it('prints INVALID_ARGUMENT with each field violation and exits 1', async () => {
    const { code, stdout, stderr } = await runCli(['--as', 'alice', 'request', 'create', '--action', 'payouts.change_details', '--resource', 'payout-account/42'], { env });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('error: INVALID_ARGUMENT: invalid request\n  - justification: is required by policy payout-details-change\n');
  });

  it('prints NOT_FOUND and FAILED_PRECONDITION and exits 1', async () => {
    const missing = await runCli(['--as', 'bob', 'request', 'approve', '01JNOPE', '--reason', 'ok'], { env });
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'error: NOT_FOUND: request 01JNOPE not found\n' });
    const decided = await runCli(['--as', 'bob', 'request', 'decline', '01JX', '--reason', 'no'], { env });
    expect(decided).toMatchObject({ code: 1, stderr: 'error: FAILED_PRECONDITION: request 01JX is already decided\n' });
  });

  it('exits 3 with a make up hint when the service is unreachable', async () => {
    const port = await closedPort();
    const { code, stderr } = await runCli(['--as', 'bob', '--approvals', `127.0.0.1:${port}`, 'request', 'get', '01JX'], { env });
    expect(code).toBe(3);
    expect(stderr).toMatch(/^error: UNAVAILABLE: /);
    expect(stderr).toContain(`hint: is the approvals service running at 127.0.0.1:${port}? Start the platform with \`make up\``);
  });
});

describe('inbox and snooze', () => {
  it('lists the pending tab with filters and paging, and snoozes by preset or time', async () => {
    await createRequest();
    await createRequest();
    await createRequest();
    const listed = await runCli(['--as', 'bob', 'inbox', '--requester', 'alice', '--overdue', '--limit', '2'], { env });
    expect(listed.code).toBe(0);
    expect(lastCall()).toMatchObject({ method: 'listInbox', request: { tenant: 'acme', tab: approvalsv1.InboxTab.INBOX_TAB_PENDING, requester: 'alice', overdueOnly: true, pageSize: 2 } });
    expect(listed.stdout).toMatch(/^ID +ACTION +RESOURCE +REQUESTER +DUE +AWAITING$/m);
    expect(listed.stdout).toMatch(/more: --page-token inbox-2/);
    await runCli(['--as', 'bob', 'inbox', 'list', '--tab', 'done'], { env });
    expect(lastCall()).toMatchObject({ method: 'listInbox', request: { tab: approvalsv1.InboxTab.INBOX_TAB_DONE } });
    const id = /^(01JTESTREQUEST\d{12})/m.exec(listed.stdout)?.[1] ?? '';
    const snoozed = await runCli(['--as', 'bob', 'request', 'snooze', id, '--for', 'tomorrow'], { env });
    expect(lastCall()).toMatchObject({ method: 'snooze', request: { id, preset: approvalsv1.SnoozePreset.SNOOZE_PRESET_TOMORROW } });
    expect(snoozed.stdout).toMatch(/^snoozed: +bob until /m);
    await runCli(['--as', 'bob', 'request', 'snooze', id, '--until', '2026-12-01T09:00:00Z'], { env });
    expect(lastCall()).toMatchObject({ method: 'snooze', request: { until: new Date('2026-12-01T09:00:00Z'), preset: 0 } });
    expect((await runCli(['--as', 'bob', 'request', 'snooze', id], { env })).code).toBe(2);
    const glass = await runCli(['--as', 'alice', 'request', 'break-glass', id, '--reason', 'production is down'], { env });
    expect(lastCall()).toMatchObject({ method: 'breakGlass', request: { id, reason: 'production is down' } });
    expect(glass.stdout).toMatch(/^break-glass: +\S+: production is down; awaiting review$/m);
    const reviewed = await runCli(['--as', 'bob', 'request', 'review', id, '--verdict', 'concern', '--reason', 'could have waited'], { env });
    expect(lastCall()).toMatchObject({ method: 'reviewBreakGlass', request: { id, verdict: approvalsv1.BreakGlassVerdict.BREAK_GLASS_VERDICT_CONCERN, reason: 'could have waited' } });
    expect(reviewed.stdout).toMatch(/reviewed by bob: concern \(could have waited\)$/m);
    const revoked = await runCli(['--as', 'carol', 'request', 'revoke', id, '--reason', 'fraud suspected'], { env });
    expect(lastCall()).toMatchObject({ method: 'revokeGrant', request: { id, reason: 'fraud suspected' } });
    expect(revoked.stdout).toMatch(/^grant: +revoked at \S+ by carol: fraud suspected$/m);
    const extended = await runCli(['--as', 'alice', 'request', 'extend', id, '--by', '30m', '--reason', 'migration runs long'], { env });
    expect(lastCall()).toMatchObject({ method: 'extendGrant', request: { id, extendBySeconds: '1800', reason: 'migration runs long' } });
    expect(extended.stdout).toMatch(/^grant extensions:$/m);
    expect(extended.stdout).toMatch(/\+1800s .* requester +migration runs long$/m);
    const handed = await runCli(['--as', 'bob', 'request', 'reassign', id, '--to', 'dave', '--reason', 'on leave'], { env });
    expect(lastCall()).toMatchObject({ method: 'reassign', request: { id, to: 'dave', reason: 'on leave' } });
    expect(handed.stdout).toMatch(/^handoffs: +bob → dave \(on leave\)$/m);
  });

  it('acts in bulk with a result per request, 100 per call and progress for more', async () => {
    const first = /^id: +(\S+)$/m.exec((await createRequest()).stdout)?.[1] ?? '';
    const res = await runCli(['--as', 'bob', 'inbox', 'approve', first, '01JNOPE', '--reason', 'batch review'], { env });
    expect(res.code).toBe(0);
    expect(lastCall()).toMatchObject({ method: 'bulkAct', request: { ids: [first, '01JNOPE'], action: approvalsv1.BulkActionKind.BULK_ACTION_KIND_APPROVE, reason: 'batch review' } });
    expect(res.stdout).toMatch(new RegExp(`^${first} +ok +state approved$`, 'm'));
    expect(res.stdout).toMatch(/^01JNOPE +NOT_FOUND +request 01JNOPE not found$/m);
    expect(res.stderr).toBe('1 of 2 done, 1 refused\n');
    const many = Array.from({ length: 150 }, (_, i) => `01JMANY${String(i).padStart(19, '0')}`);
    const before = fake.calls.length;
    const big = await runCli(['--as', 'bob', '-o', 'json', 'inbox', 'decline', ...many, '--reason', 'cleanup'], { env });
    expect(fake.calls.slice(before).map((c) => (c.request as { ids: string[] }).ids.length)).toEqual([100, 50]);
    expect(JSON.parse(big.stdout).results).toHaveLength(150);
    expect(big.stderr).toMatch(/bulk \|.*\| 150\/150 requests/);
  });
});

describe('policy validate', () => {
  it('checks every file of a directory and lists the valid policies', async () => {
    const { code, stdout } = await runCli(['policy', 'validate', 'examples'], { env, cwd: join(import.meta.dirname, '..') });
    expect(code).toBe(0);
    expect(stdout).toBe(
      'examples/payouts-policy.yaml: policy payout-details-change (payouts.change_details) is valid\n' +
        'examples/refund-policy.yaml: policy refund-issue (refunds.issue) is valid\n' +
        'examples/vendor-payout-policy.yaml: policy vendor-payout (payouts.approve_vendor) is valid\n' +
        'examples/wire-policy.yaml: policy payments-wire (payments.wire) is valid\n' +
        '4 policies in 4 files are valid\n',
    );
  });

  it('names file, path and reason for each problem, exits 2 and applies nothing from the set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assentctl-policies-'));
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(dir, 'team'));
    await writeFile(join(dir, 'good.yaml'), 'apiVersion: assent.dev/v1\nkind: Policy\nspec:\n  id: p1\n  action: keys.rotate\n  approvers: ["user:bob"]\n  grantDuration: 1h\n');
    await writeFile(join(dir, 'team', 'bad.json'), JSON.stringify({ apiVersion: 'assent.dev/v1', kind: 'Policy', spec: { id: 'p2', action: 'keys.revoke', approvers: ['bob'], grantDuration: '1h', expireAfter: 'later' } }, null, 1));
    await writeFile(join(dir, 'notes.txt'), 'not a policy');
    const invalid = await runCli(['policy', 'validate', '.'], { env, cwd: dir });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toBe(
      'error: invalid policies under .: nothing was applied\n' +
        '  - team/bad.json: spec.approvers[0] (line 8): "bob" is not an approver like user:bob or group:finance#member\n' +
        '  - team/bad.json: spec.expireAfter (line 11): "later" is not a duration; use e.g. 30m, 1h, 2h30m or a whole number of seconds\n',
    );
    const before = fake.calls.length;
    expect((await runCli(['--as', 'admin', 'policy', 'apply', '-f', '.'], { env, cwd: dir })).code).toBe(2);
    expect(fake.calls.length).toBe(before);
  });
});

describe('policy simulate', () => {
  it('asks for the action at a time and prints policy, groups and the timeline', async () => {
    const { code, stdout } = await runCli(['--as', 'alice', 'policy', 'simulate', 'payouts.approve_vendor', '--at', '2026-12-01T09:00:00Z'], { env });
    expect(code).toBe(0);
    expect(lastCall()).toMatchObject({ method: 'simulate', request: { tenant: 'acme', action: 'payouts.approve_vendor', at: new Date('2026-12-01T09:00:00Z') } });
    expect(stdout).toMatch(/^requires: +finance: 1 of group:finance-leads#member$/m);
    expect(stdout).toMatch(/^re-request cooldown: +1d after a decline$/m);
    expect(stdout).toMatch(/^max requests per day: +3 per requester, action and resource$/m);
    expect(stdout).toMatch(/^group:finance-leads#member +bob, erin$/m);
    expect(stdout).toMatch(/^2026-12-01T09:03:00\.000Z +expiry +the request expires undecided$/m);
    const bad = await runCli(['--as', 'alice', 'policy', 'simulate', 'payouts.approve_vendor', '--at', 'tomorrow'], { env });
    expect(bad).toMatchObject({ code: 2 });
  });
});

describe('policy apply', () => {
  it('validates the YAML and sends the policy', async () => {
    const { code, stdout } = await runCli(['--as', 'admin', '--roles', 'admin', 'policy', 'apply', '-f', 'examples/payouts-policy.yaml'], { env, cwd: join(import.meta.dirname, '..') });
    expect(code).toBe(0);
    expect(lastCall()).toMatchObject({
      method: 'putPolicy',
      request: { tenant: 'acme', policy: { id: 'payout-details-change', action: 'payouts.change_details', approvers: ['user:bob', 'user:carol'], quorum: 1, requireJustification: true, grantDurationSeconds: '3600', slackChannel: 'C0PAYOUTS' } },
    });
    expect(stdout).toBe(`policy payout-details-change applied to payouts.change_details in tenant acme (sha256 ${'f'.repeat(64)})\n`);
  });

  it('rejects an invalid file with YAML paths, exit 2, and sends nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assentctl-policy-'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'bad.yaml'), 'apiVersion: assent.dev/v1\nkind: Policy\nspec:\n  id: p\n  approvers: ["user:bob"]\n  grantDuration: soon\n');
    const before = fake.calls.length;
    const { code, stderr } = await runCli(['--as', 'admin', 'policy', 'apply', '-f', 'bad.yaml'], { env, cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toBe(
      'error: invalid policy file bad.yaml\n' +
        '  - spec.action (line 3): is required\n' +
        '  - spec.grantDuration (line 6): "soon" is not a duration; use e.g. 30m, 1h, 2h30m or a whole number of seconds\n',
    );
    expect(fake.calls.length).toBe(before);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
