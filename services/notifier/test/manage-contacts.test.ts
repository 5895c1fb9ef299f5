import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, MemoryTenantDirectory, NotFoundError, PermissionDeniedError, UnavailableError, type Principal } from '@assent/platform';
import { MemoryEmailDirectory } from '../src/adapters/memory/email-directory.js';
import { MemorySlackUserDirectory } from '../src/adapters/memory/slack-interaction.js';
import {
  linkSlackUser,
  listEmailAddresses,
  listSlackUsers,
  removeEmailAddress,
  setEmailAddress,
  unlinkSlackUser,
  type ContactChanged,
  type ContactDeps,
} from '../src/domain/commands/manage-contacts.js';

const admin: Principal = { subject: 'root', kind: 'user', tenant: 'acme', roles: ['admin'] };
const member: Principal = { subject: 'alice', kind: 'user', tenant: 'acme', roles: [] };
const otherAdmin: Principal = { subject: 'eve', kind: 'user', tenant: 'globex', roles: ['admin'] };

function setup(opts: { streamDown?: boolean } = {}) {
  const events: ContactChanged[] = [];
  const deps: ContactDeps = {
    emails: new MemoryEmailDirectory(),
    slackUsers: new MemorySlackUserDirectory(),
    tenants: new MemoryTenantDirectory(['acme', 'globex']),
    emit: async (e) => {
      if (opts.streamDown) throw new UnavailableError('event stream unavailable');
      events.push(e.data);
    },
  };
  return { deps, events };
}

const violations = (err: unknown) => (err as InvalidArgumentError).violations.map((v) => v.field);

describe('email addresses', () => {
  it('an admin sets, replaces, lists and removes an address; each change is an event naming the admin, a repeat changes nothing', async () => {
    const { deps, events } = setup();
    expect(await setEmailAddress(deps, admin, { tenant: 'acme', principal: 'bob', address: 'bob@acme.test' })).toEqual({ principal: 'bob', address: 'bob@acme.test', changed: true });
    expect(await setEmailAddress(deps, admin, { tenant: 'acme', principal: 'bob', address: 'bob@acme.test' })).toMatchObject({ changed: false });
    await setEmailAddress(deps, admin, { tenant: 'acme', principal: 'bob', address: 'robert@acme.test' });
    await setEmailAddress(deps, admin, { tenant: 'acme', principal: 'alice', address: 'alice@acme.test' });
    expect(await deps.emails.addressOf('acme', 'bob')).toBe('robert@acme.test');
    expect(await listEmailAddresses(deps, admin, { tenant: 'acme' })).toEqual([
      { principal: 'alice', address: 'alice@acme.test' },
      { principal: 'bob', address: 'robert@acme.test' },
    ]);
    expect(await removeEmailAddress(deps, admin, { tenant: 'acme', principal: 'bob' })).toEqual({ removed: true });
    expect(await removeEmailAddress(deps, admin, { tenant: 'acme', principal: 'bob' })).toEqual({ removed: false });
    expect(events.map((e) => [e.principal, e.change, e.address, e.actor])).toEqual([
      ['bob', 'set', 'bob@acme.test', 'root'],
      ['bob', 'set', 'robert@acme.test', 'root'],
      ['alice', 'set', 'alice@acme.test', 'root'],
      ['bob', 'removed', 'robert@acme.test', 'root'],
    ]);
  });

  it('refuses bad input naming each field, non-admins, other tenants and unknown tenants, changing nothing', async () => {
    const { deps, events } = setup();
    for (const address of ['', 'bob', 'Bob <bob@acme.test>', 'bob@acme', 'bob@acme.test, eve@evil.test', `${'a'.repeat(250)}@acme.test`]) {
      const err = await setEmailAddress(deps, admin, { tenant: 'acme', principal: 'bob', address }).catch((e: unknown) => e);
      expect(err, address).toBeInstanceOf(InvalidArgumentError);
      expect(violations(err)).toEqual(['address']);
    }
    expect(violations(await setEmailAddress(deps, admin, { tenant: 'Acme', principal: 'bob bob', address: 'x' }).catch((e: unknown) => e))).toEqual(['tenant', 'principal', 'address']);
    await expect(setEmailAddress(deps, member, { tenant: 'acme', principal: 'alice', address: 'alice@acme.test' })).rejects.toThrow(/needs the admin role/);
    await expect(setEmailAddress(deps, otherAdmin, { tenant: 'acme', principal: 'bob', address: 'bob@acme.test' })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(listEmailAddresses(deps, member, { tenant: 'acme' })).rejects.toBeInstanceOf(PermissionDeniedError);
    const platformAdmin: Principal = { subject: 'ops', kind: 'user', tenant: undefined, roles: ['platform-admin'] };
    await expect(setEmailAddress(deps, platformAdmin, { tenant: 'ghost', principal: 'bob', address: 'bob@acme.test' })).rejects.toBeInstanceOf(NotFoundError);
    expect(await deps.emails.list('acme')).toEqual([]);
    expect(events).toEqual([]);
  });

  it('makes no change it could not record for audit', async () => {
    const { deps } = setup({ streamDown: true });
    await expect(setEmailAddress(deps, admin, { tenant: 'acme', principal: 'bob', address: 'bob@acme.test' })).rejects.toBeInstanceOf(UnavailableError);
    expect(await deps.emails.addressOf('acme', 'bob')).toBeUndefined();
  });
});

describe('Slack account links', () => {
  it('links, lists and unlinks accounts of the tenant’s workspace; a person has one account; each change is an event', async () => {
    const { deps, events } = setup();
    expect(await linkSlackUser(deps, admin, { tenant: 'acme', slackTeam: 'T0ACME', slackUser: 'U0BOB', principal: 'bob' })).toEqual({ slackTeam: 'T0ACME', link: { slackUser: 'U0BOB', principal: 'bob' }, changed: true });
    expect(await linkSlackUser(deps, admin, { tenant: 'acme', slackTeam: 'T0ACME', slackUser: 'U0BOB', principal: 'bob' })).toMatchObject({ changed: false });
    await linkSlackUser(deps, admin, { tenant: 'acme', slackTeam: 'T0ACME', slackUser: 'U0CAROL', principal: 'carol' });
    // bob's new account replaces the old one.
    await linkSlackUser(deps, admin, { tenant: 'acme', slackTeam: 'T0ACME', slackUser: 'U0BOB2', principal: 'bob' });
    expect(await listSlackUsers(deps, admin, { tenant: 'acme' })).toEqual({
      team: 'T0ACME',
      links: [
        { slackUser: 'U0BOB2', principal: 'bob' },
        { slackUser: 'U0CAROL', principal: 'carol' },
      ],
    });
    expect(await deps.slackUsers.principalOf('acme', 'T0ACME', 'U0BOB')).toBeUndefined();
    expect(await unlinkSlackUser(deps, admin, { tenant: 'acme', slackUser: 'U0CAROL' })).toEqual({ removed: true });
    expect(await unlinkSlackUser(deps, admin, { tenant: 'acme', slackUser: 'U0CAROL' })).toEqual({ removed: false });
    expect(await listSlackUsers(deps, otherAdmin, { tenant: 'globex' })).toEqual({ team: '', links: [] });
    expect(events.map((e) => [e.principal, e.change, e.slackTeam, e.slackUser])).toEqual([
      ['bob', 'set', 'T0ACME', 'U0BOB'],
      ['carol', 'set', 'T0ACME', 'U0CAROL'],
      ['bob', 'set', 'T0ACME', 'U0BOB2'],
      ['carol', 'removed', 'T0ACME', 'U0CAROL'],
    ]);
  });

  it('refuses ids that are not Slack’s, naming each field, and non-admins', async () => {
    const { deps, events } = setup();
    const err = await linkSlackUser(deps, admin, { tenant: 'acme', slackTeam: 'acme', slackUser: '@bob', principal: '' }).catch((e: unknown) => e);
    expect(violations(err)).toEqual(['principal', 'slack_team', 'slack_user']);
    await expect(linkSlackUser(deps, member, { tenant: 'acme', slackTeam: 'T0ACME', slackUser: 'U0ALICE', principal: 'alice' })).rejects.toThrow(/needs the admin role/);
    expect(await deps.slackUsers.list('acme')).toBeUndefined();
    expect(events).toEqual([]);
  });
});
