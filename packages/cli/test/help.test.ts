import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const tree: Record<string, string[]> = {
  tenant: ['create', 'add-member'],
  group: ['add-member', 'remove-member', 'of', 'members'],
  policy: ['validate', 'apply', 'simulate', 'get'],
  request: ['create', 'get', 'list', 'break-glass', 'review', 'revoke', 'extend', 'reassign', 'snooze', 'approve', 'decline', 'request-changes', 'comment', 'resubmit', 'cancel'],
  inbox: ['list', 'approve', 'decline', 'snooze'],
  delegation: ['set', 'end', 'list'],
  authz: ['check', 'approvers', 'access', 'explain', 'step-up', 'step-up-status', 'actions', 'model'],
  'authz model': ['get', 'apply', 'simulate'],
  audit: ['list', 'verify', 'checkpoint', 'keys', 'export'],
  webhook: ['create', 'list', 'attempts'],
  notifications: ['list'],
  contacts: ['email', 'slack'],
  'contacts email': ['set', 'remove', 'list'],
  'contacts slack': ['link', 'unlink', 'list'],
  events: ['watch', 'credentials'],
  'events credentials': ['create', 'list', 'revoke'],
};

/** Names in the "Commands:" section of a help text (up to the next blank line). */
const commandNames = (help: string): string[] => {
  const section = help.slice(help.indexOf('Commands:')).split('\n\n')[0] ?? '';
  return section
    .split('\n')
    .slice(1)
    .map((l) => /^ {2}([a-z-]+)/.exec(l)?.[1])
    .filter((n): n is string => !!n && n !== 'help');
};

describe('assentctl --help', () => {
  it('lists every command group and the global options', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(commandNames(stdout)).toEqual(['token', ...Object.keys(tree).filter((g) => !g.includes(' '))]);
    for (const flag of ['--tenant <id>', '--as <user>', '--roles <list>', '--token <jwt>', '--dev-key <file>', '--approvals <addr>', '--authz <addr>', '--audit <addr>', '--delivery <addr>', '--notifier <addr>', '-o, --output <format>']) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain('ASSENT_APPROVALS_ADDR');
  });

  it.each(Object.entries(tree))('%s --help exits 0 and lists its subcommands', async (group, subcommands) => {
    const { code, stdout } = await runCli([...group.split(' '), '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: assentctl ${group}`);
    expect(commandNames(stdout)).toEqual(subcommands);
  });

  const leaves = ['token', ...Object.entries(tree).flatMap(([g, subs]) => subs.map((s) => `${g} ${s}`))];
  it.each(leaves)('%s --help exits 0 and shows its usage', async (command) => {
    const words = command.split(' ');
    const { code, stdout, stderr } = await runCli([...words, '--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain(`Usage: assentctl ${words.join(' ')}`);
    expect(stdout).toContain('Global Options:');
  });

  it('delegation set --help says what a delegate may do and how the range is given', async () => {
    const { stdout } = await runCli(['delegation', 'set', '--help']);
    expect(stdout).toContain('at most 90 days');
    expect(stdout).toContain('each vote recorded as made for you');
    for (const flag of ['--to <user>', '--until <time>', '--for <duration>', '--start <time>', '--user <user>', '--reason <text>']) expect(stdout).toContain(flag);
  });

  it('help <group> works like <group> --help', async () => {
    const { code, stdout } = await runCli(['help', 'webhook']);
    expect(code).toBe(0);
    expect(commandNames(stdout)).toEqual(tree['webhook']);
  });
});

describe('usage errors exit 2', () => {
  it('a group without a subcommand shows its help on stderr', async () => {
    const { code, stdout, stderr } = await runCli(['request']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Usage: assentctl request');
  });

  it.each([
    [['bogus'], "unknown command 'bogus'"],
    [['request', 'list', '--bogus'], "unknown option '--bogus'"],
    [['request', 'create', '--resource', 'r'], "required option '--action <action>' not specified"],
    [['request', 'list', '--state', 'maybe'], "argument 'maybe' is invalid. Allowed choices are pending, changes-requested, approved, declined, cancelled, expired, deferred"],
    [['request', 'list', '--limit', '0'], 'must be a whole number of at least 1'],
    [['request', 'get'], "missing required argument 'id'"],
    [['-o', 'yaml', 'authz', 'actions'], "argument 'yaml' is invalid"],
    [['delegation', 'set', '--to', 'erin', '--reason', 'vacation'], 'give either --until <time> or --for <duration> (e.g. 7d): when the delegation ends'],
    [['delegation', 'list', '--all'], "unknown option '--all'"],
  ])('%j', async (argv, message) => {
    const { code, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('says how to get credentials when there are none', async () => {
    const { code, stderr } = await runCli(['authz', 'actions']);
    expect(code).toBe(2);
    expect(stderr).toBe('error: no credentials: pass --token or --as with a dev issuer key (run make up)\n');
  });

  it('names the missing dev issuer key file for --as', async () => {
    const { code, stderr } = await runCli(['--as', 'alice', 'token'], { env: { ASSENT_DEV_ISSUER_KEY_FILE: '/nonexistent/dev-issuer.json' } });
    expect(code).toBe(2);
    expect(stderr).toContain('error: no credentials: pass --token or --as with a dev issuer key (run make up)\n');
    expect(stderr).toContain('  - dev issuer key /nonexistent/dev-issuer.json not found');
  });

  it('rejects a bad ASSENT_OUTPUT', async () => {
    const { code, stderr } = await runCli(['--token', 't', 'token'], { env: { ASSENT_OUTPUT: 'yaml' } });
    expect(code).toBe(2);
    expect(stderr).toBe('error: ASSENT_OUTPUT="yaml" is not one of table, json\n');
  });
});
