import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { approvalsv1 } from '@assent/proto';
import { createDevIssuerKey, writeDevIssuerKey } from '@assent/platform';
import { startFakeApprovals } from './fake-approvals.js';
import { runCli } from './run-cli.js';

let fake: Awaited<ReturnType<typeof startFakeApprovals>>;
let env: Record<string, string>;

const lastCall = () => fake.calls.at(-1);
const sub = (authorization: string | undefined) =>
  (JSON.parse(Buffer.from((authorization ?? '').replace(/^Bearer /, '').split('.')[1] ?? '', 'base64url').toString()) as { sub: string }).sub;

beforeAll(async () => {
  fake = await startFakeApprovals();
  const keyFile = join(await mkdtemp(join(tmpdir(), 'assentctl-key-')), 'dev-issuer.json');
  await writeDevIssuerKey(keyFile, await createDevIssuerKey('https://issuer.assent.test'));
  env = { ASSENT_APPROVALS_ADDR: fake.address, ASSENT_DEV_ISSUER_KEY_FILE: keyFile };
});

afterAll(async () => {
  await fake?.stop();
});

const cli = (...argv: string[]) => runCli(argv, { env });
const idOf = (stdout: string) => /^id: +(\S+)$/m.exec(stdout)?.[1] ?? '';

describe('delegation set', () => {
  it('sends the delegate, the range and the reason for the caller, and prints the delegation', async () => {
    const { code, stdout, stderr } = await cli('--as', 'bob', 'delegation', 'set', '--to', 'erin', '--start', '2099-07-01T08:00:00+02:00', '--until', '2099-07-15T18:00:00Z', '--reason', 'vacation');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const call = lastCall();
    expect(call).toMatchObject({ method: 'setDelegation' });
    expect(sub(call?.authorization)).toBe('bob');
    // from empty: the caller is the one away.
    expect(call?.request).toEqual({ tenant: 'acme', from: '', to: 'erin', startsAt: new Date('2099-07-01T06:00:00Z'), endsAt: new Date('2099-07-15T18:00:00Z'), reason: 'vacation' });
    expect(stdout).toMatch(/^id: +01JTESTDELEGATION\d{9}$/m);
    expect(stdout).toMatch(/^away: +bob$/m);
    expect(stdout).toMatch(/^delegate: +erin \(acts for bob\)$/m);
    expect(stdout).toMatch(/^starts: +2099-07-01T06:00:00\.000Z$/m);
    expect(stdout).toMatch(/^ends: +2099-07-15T18:00:00\.000Z$/m);
    expect(stdout).toMatch(/^status: +upcoming$/m);
    expect(stdout).toMatch(/^reason: +vacation$/m);
    expect(stdout).toMatch(/^set by: +bob at 2025-01-02T03:04:05\.000Z$/m);
  });

  it('--for counts from --start, or from now without it (the server starts it now)', async () => {
    await cli('--as', 'carol', 'delegation', 'set', '--to', 'dave', '--start', '2099-07-01T08:00:00Z', '--for', '1d12h', '--reason', 'conference');
    expect(lastCall()?.request).toMatchObject({ startsAt: new Date('2099-07-01T08:00:00Z'), endsAt: new Date('2099-07-02T20:00:00Z') });
    const before = Date.now();
    const { code, stdout } = await cli('--as', 'carol', 'delegation', 'set', '--to', 'dave', '--for', '7d', '--reason', 'vacation');
    expect(code).toBe(0);
    const req = lastCall()?.request as approvalsv1.SetDelegationRequest;
    expect(req.startsAt).toBeUndefined();
    const week = 7 * 86_400_000;
    expect(req.endsAt?.getTime()).toBeGreaterThanOrEqual(before + week - 1000);
    expect(req.endsAt?.getTime()).toBeLessThanOrEqual(Date.now() + week);
    expect(stdout).toMatch(/^status: +active$/m);
  });

  it('--user sets one for someone else (tenant admins)', async () => {
    const { code } = await cli('--as', 'admin', '--roles', 'admin', 'delegation', 'set', '--user', 'frank', '--to', 'erin', '--until', '2099-08-01T00:00:00Z', '--reason', 'sick leave');
    expect(code).toBe(0);
    expect(lastCall()?.request).toMatchObject({ from: 'frank', to: 'erin', startsAt: undefined, reason: 'sick leave' });
  });

  it('refuses a command line without exactly one of --until and --for, or with a bad time or duration, and sends nothing', async () => {
    const before = fake.calls.length;
    const base = ['--as', 'bob', 'delegation', 'set', '--to', 'erin', '--reason', 'vacation'];
    for (const extra of [[], ['--until', '2099-07-15T18:00:00Z', '--for', '7d']]) {
      const res = await cli(...base, ...extra);
      expect(res, extra.join(' ')).toMatchObject({ code: 2, stdout: '' });
      expect(res.stderr).toBe('error: give either --until <time> or --for <duration> (e.g. 7d): when the delegation ends\n');
    }
    for (const [flag, value, message] of [
      ['--until', '2099-07-15', '"2099-07-15" is not a time; use RFC 3339 with an offset, e.g. 2026-12-01T09:00:00Z'],
      ['--start', 'monday', '"monday" is not a time; use RFC 3339 with an offset'],
      ['--for', 'a week', '"a week" is not a duration; use e.g. 30m, 1h, 2h30m or a whole number of seconds'],
    ] as const) {
      const { code, stderr } = await cli(...base, flag, value);
      expect(code, flag).toBe(2);
      expect(stderr, flag).toContain(`error: option '${flag} <`);
      expect(stderr, flag).toContain(`argument '${value}' is invalid. ${message}`);
    }
    for (const [missing, argv] of [
      ['--to <user>', ['--as', 'bob', 'delegation', 'set', '--for', '7d', '--reason', 'x']],
      ['--reason <text>', ['--as', 'bob', 'delegation', 'set', '--for', '7d', '--to', 'erin']],
    ] as const) {
      const { code, stderr } = await cli(...argv);
      expect(code, missing).toBe(2);
      expect(stderr, missing).toContain(`required option '${missing}' not specified`);
    }
    expect(fake.calls.length).toBe(before);
  });
});

describe('delegation end', () => {
  it('ends one of the caller’s delegations, or (--user) someone else’s, and prints it', async () => {
    const id = idOf((await cli('--as', 'gina', 'delegation', 'set', '--to', 'hank', '--for', '3d', '--reason', 'vacation')).stdout);
    const { code, stdout } = await cli('--as', 'gina', 'delegation', 'end', id);
    expect(code).toBe(0);
    expect(lastCall()).toMatchObject({ method: 'endDelegation', request: { tenant: 'acme', from: '', id } });
    expect(stdout).toMatch(/^status: +ended 2025-01-02T03:06:05\.000Z by gina$/m);
    const other = idOf((await cli('--as', 'gina', 'delegation', 'set', '--to', 'hank', '--for', '3d', '--reason', 'again')).stdout);
    const admin = await cli('--as', 'admin', '--roles', 'admin', '-o', 'json', 'delegation', 'end', other, '--user', 'gina');
    expect(lastCall()?.request).toEqual({ tenant: 'acme', from: 'gina', id: other });
    expect(JSON.parse(admin.stdout)).toMatchObject({ delegation: { id: other, from: 'gina', to: 'hank', endedBy: 'admin', endedAt: '2025-01-02T03:06:05.000Z' } });
  });

  it('prints NOT_FOUND for an unknown id and exits 1', async () => {
    expect(await cli('--as', 'gina', 'delegation', 'end', '01JNOPE')).toEqual({ code: 1, stdout: '', stderr: 'error: NOT_FOUND: gina has no delegation 01JNOPE\n' });
    expect((await cli('--as', 'gina', 'delegation', 'end')).stderr).toContain("missing required argument 'id'");
  });
});

describe('delegation list', () => {
  it('prints what the caller gave and received as two tables', async () => {
    const id = idOf((await cli('--as', 'ivan', 'delegation', 'set', '--to', 'judy', '--start', '2099-09-01T00:00:00Z', '--until', '2099-09-10T00:00:00Z', '--reason', 'parental leave')).stdout);
    const given = await cli('--as', 'ivan', 'delegation', 'list');
    expect(given.code).toBe(0);
    expect(lastCall()).toMatchObject({ method: 'listDelegations', request: { tenant: 'acme', user: '', includeEnded: false } });
    expect(given.stdout).toMatch(/^given \(TO acts for you\):\n {2}ID +TO +STARTS +ENDS +STATUS +SET BY +REASON\n/m);
    expect(given.stdout).toMatch(new RegExp(`^ {2}${id} +judy +2099-09-01T00:00:00\\.000Z +2099-09-10T00:00:00\\.000Z +upcoming +ivan +parental leave$`, 'm'));
    expect(given.stdout).toMatch(/^received \(you act for FROM\):\n {2}\(none\)$/m);
    const received = await cli('--as', 'judy', 'delegation', 'list');
    expect(received.stdout).toMatch(/^given \(TO acts for you\):\n {2}\(none\)$/m);
    expect(received.stdout).toMatch(new RegExp(`^received \\(you act for FROM\\):\\n {2}ID +FROM +STARTS +ENDS +STATUS +SET BY +REASON\\n {2}${id} +ivan +2099-`, 'm'));
  });

  it('--user lists someone else’s, --include-ended also the ended ones; -o json prints the response', async () => {
    const id = idOf((await cli('--as', 'kim', 'delegation', 'set', '--to', 'lee', '--for', '1d', '--reason', 'offsite')).stdout);
    await cli('--as', 'kim', 'delegation', 'end', id);
    const current = await cli('--as', 'admin', '--roles', 'admin', 'delegation', 'list', '--user', 'kim');
    expect(lastCall()?.request).toEqual({ tenant: 'acme', user: 'kim', includeEnded: false });
    expect(current.stdout).toMatch(/^given \(TO acts for kim\):\n {2}\(none\)$/m);
    expect(current.stdout).toMatch(/^received \(kim acts for FROM\):$/m);
    const all = await cli('--as', 'admin', '--roles', 'admin', '-o', 'json', 'delegation', 'list', '--user', 'kim', '--include-ended');
    expect(lastCall()?.request).toEqual({ tenant: 'acme', user: 'kim', includeEnded: true });
    const json = JSON.parse(all.stdout) as { given: Record<string, unknown>[]; received?: unknown[] };
    expect(json.given).toEqual([expect.objectContaining({ id, from: 'kim', to: 'lee', reason: 'offsite', createdBy: 'kim', createdAt: '2025-01-02T03:04:05.000Z', endedBy: 'kim' })]);
    // Canonical proto JSON leaves an empty list out.
    expect(json.received).toBeUndefined();
  });
});
