import { Violations, requireTenantAdmin, type Principal, type TenantDirectory } from '@assent/platform/domain';
import type { EmailDirectory } from '../ports.js';
import type { SlackUserDirectory } from '../slack/interaction-ports.js';

export const contactChangedType = 'assent.notifier.contact_changed.v1';

/** What the contact commands need: the two directories, which tenants exist, and the event stream. */
export interface ContactDeps {
  emails: EmailDirectory;
  slackUsers: SlackUserDirectory;
  tenants: TenantDirectory;
  /**
   * Publishes and waits for the stream's ack, before the change: a change nobody
   * could audit is not made (a failure after it leaves a record of an attempt).
   */
  emit(event: { type: string; tenant: string; subject: string; data: ContactChanged }): Promise<void>;
}

export interface ContactChanged {
  tenant: string;
  principal: string;
  channel: 'email' | 'slack';
  change: 'set' | 'removed';
  address: string;
  slackTeam: string;
  slackUser: string;
  actor: string;
}

const WHAT = "how the tenant's people are reached";
const MAX_ADDRESS = 254;
// One mailbox: local part, "@", a dotted domain; no display name, spaces or angle brackets.
const MAILBOX = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
// Slack ids: a workspace is T… (or E… for an Enterprise Grid org), a user U… or W….
const SLACK_TEAM = /^[TE][A-Z0-9]{2,20}$/;
const SLACK_USER = /^[UW][A-Z0-9]{2,20}$/;

function checkAddress(v: Violations, address: string): void {
  if (!address) v.add('address', 'is required');
  else if (address.length > MAX_ADDRESS || !MAILBOX.test(address)) v.add('address', `must be one email address such as bob@example.com (at most ${MAX_ADDRESS} characters)`);
}

function checkSlack(v: Violations, field: string, value: string, shape: RegExp, example: string): void {
  if (!value) v.add(field, 'is required');
  else if (!shape.test(value)) v.add(field, `must be a Slack id such as ${example}`);
}

const event = (data: ContactChanged) => ({ type: contactChangedType, tenant: data.tenant, subject: `contact/${data.principal}`, data });

export async function setEmailAddress(deps: ContactDeps, caller: Principal, input: { tenant: string; principal: string; address: string }) {
  const v = new Violations().check('tenant', input.tenant, 'tenant').check('principal', input.principal, 'user');
  checkAddress(v, input.address);
  v.throwIfAny();
  await requireTenantAdmin(deps.tenants, caller, input.tenant, WHAT);
  // Kept exactly as given; only the identical address counts as unchanged.
  const before = await deps.emails.addressOf(input.tenant, input.principal);
  if (before === input.address) return { principal: input.principal, address: input.address, changed: false };
  await deps.emit(event({ tenant: input.tenant, principal: input.principal, channel: 'email', change: 'set', address: input.address, slackTeam: '', slackUser: '', actor: caller.subject }));
  await deps.emails.set(input.tenant, input.principal, input.address);
  return { principal: input.principal, address: input.address, changed: true };
}

export async function removeEmailAddress(deps: ContactDeps, caller: Principal, input: { tenant: string; principal: string }) {
  new Violations().check('tenant', input.tenant, 'tenant').check('principal', input.principal, 'user').throwIfAny();
  await requireTenantAdmin(deps.tenants, caller, input.tenant, WHAT);
  const before = await deps.emails.addressOf(input.tenant, input.principal);
  if (before === undefined) return { removed: false };
  await deps.emit(event({ tenant: input.tenant, principal: input.principal, channel: 'email', change: 'removed', address: before, slackTeam: '', slackUser: '', actor: caller.subject }));
  return { removed: await deps.emails.remove(input.tenant, input.principal) };
}

export async function listEmailAddresses(deps: ContactDeps, caller: Principal, input: { tenant: string }) {
  new Violations().check('tenant', input.tenant, 'tenant').throwIfAny();
  await requireTenantAdmin(deps.tenants, caller, input.tenant, WHAT);
  return (await deps.emails.list(input.tenant)).sort((a, b) => a.principal.localeCompare(b.principal));
}

export async function linkSlackUser(deps: ContactDeps, caller: Principal, input: { tenant: string; slackTeam: string; slackUser: string; principal: string }) {
  const v = new Violations().check('tenant', input.tenant, 'tenant').check('principal', input.principal, 'user');
  checkSlack(v, 'slack_team', input.slackTeam, SLACK_TEAM, 'T024BE7LD');
  checkSlack(v, 'slack_user', input.slackUser, SLACK_USER, 'U024BE7LH');
  v.throwIfAny();
  await requireTenantAdmin(deps.tenants, caller, input.tenant, WHAT);
  const before = await deps.slackUsers.list(input.tenant);
  const link = { slackUser: input.slackUser, principal: input.principal };
  if (before?.team === input.slackTeam && before.links.some((l) => l.slackUser === input.slackUser && l.principal === input.principal)) {
    return { slackTeam: input.slackTeam, link, changed: false };
  }
  await deps.emit(event({ tenant: input.tenant, principal: input.principal, channel: 'slack', change: 'set', address: '', slackTeam: input.slackTeam, slackUser: input.slackUser, actor: caller.subject }));
  await deps.slackUsers.set(input.tenant, input.slackTeam, input.slackUser, input.principal);
  return { slackTeam: input.slackTeam, link, changed: true };
}

export async function unlinkSlackUser(deps: ContactDeps, caller: Principal, input: { tenant: string; slackUser: string }) {
  const v = new Violations().check('tenant', input.tenant, 'tenant');
  checkSlack(v, 'slack_user', input.slackUser, SLACK_USER, 'U024BE7LH');
  v.throwIfAny();
  await requireTenantAdmin(deps.tenants, caller, input.tenant, WHAT);
  const before = await deps.slackUsers.list(input.tenant);
  const linked = before?.links.find((l) => l.slackUser === input.slackUser);
  if (!before || !linked) return { removed: false };
  await deps.emit(event({ tenant: input.tenant, principal: linked.principal, channel: 'slack', change: 'removed', address: '', slackTeam: before.team, slackUser: input.slackUser, actor: caller.subject }));
  return { removed: await deps.slackUsers.remove(input.tenant, input.slackUser) };
}

export async function listSlackUsers(deps: ContactDeps, caller: Principal, input: { tenant: string }) {
  new Violations().check('tenant', input.tenant, 'tenant').throwIfAny();
  await requireTenantAdmin(deps.tenants, caller, input.tenant, WHAT);
  return (await deps.slackUsers.list(input.tenant)) ?? { team: '', links: [] };
}
