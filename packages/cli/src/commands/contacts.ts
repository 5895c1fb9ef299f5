import type { Command } from 'commander';
import { notifierv1 } from '@assent/proto';
import type { Session } from '../session.js';
import { renderTable } from '../output/table.js';

export function registerContactsCommands(program: Command, session: Session): void {
  const contacts = program
    .command('contacts')
    .description("how the tenant's people are reached: email addresses and linked Slack accounts (the admin role; every change is audited)");

  const email = contacts.command('email').description('the address approval emails go to');
  email
    .command('set')
    .description("set or replace a person's address")
    .argument('<user>', 'user id, e.g. bob')
    .argument('<address>', 'one email address, e.g. bob@example.com')
    .action(async (user: string, address: string, _opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('notifier', (c, o) => c.setEmailAddress({ tenant: ctx.tenant, principal: user, address }, o));
      if (ctx.json) return ctx.printJson(notifierv1.SetEmailAddressResponse.toJSON(res));
      ctx.print(res.changed ? `${user}'s approval emails go to ${address}` : `${user}'s address was already ${address}: nothing changed`);
    });
  email
    .command('remove')
    .description("remove a person's address (they get no more approval emails)")
    .argument('<user>', 'user id')
    .action(async (user: string, _opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('notifier', (c, o) => c.removeEmailAddress({ tenant: ctx.tenant, principal: user }, o));
      if (ctx.json) return ctx.printJson(notifierv1.RemoveEmailAddressResponse.toJSON(res));
      ctx.print(res.removed ? `${user} has no email address any more` : `${user} had no email address: nothing changed`);
    });
  email
    .command('list')
    .description("list the tenant's addresses")
    .action(async (_opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('notifier', (c, o) => c.listEmailAddresses({ tenant: ctx.tenant }, o));
      if (ctx.json) return ctx.printJson(notifierv1.ListEmailAddressesResponse.toJSON(res));
      if (!res.emailAddresses.length) return ctx.print(`no email addresses in tenant ${ctx.tenant}`);
      ctx.print(renderTable(['USER', 'ADDRESS'], res.emailAddresses.map((e) => [e.principal, e.address])));
    });

  const slack = contacts.command('slack').description("Slack accounts linked to people: their clicks act as them, outcomes reach them");
  slack
    .command('link')
    .description("link a Slack account of the tenant's workspace to a person (a person has one; a new workspace replaces the tenant's links)")
    .argument('<user>', 'user id, e.g. carol')
    .requiredOption('--team <id>', 'the Slack workspace (team) id, e.g. T024BE7LD')
    .requiredOption('--slack-user <id>', 'the Slack user id, e.g. U024BE7LH')
    .action(async (user: string, opts: { team: string; slackUser: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('notifier', (c, o) => c.linkSlackUser({ tenant: ctx.tenant, slackTeam: opts.team, slackUser: opts.slackUser, principal: user }, o));
      if (ctx.json) return ctx.printJson(notifierv1.LinkSlackUserResponse.toJSON(res));
      ctx.print(res.changed ? `Slack user ${opts.slackUser} of ${opts.team} acts as ${user}` : `Slack user ${opts.slackUser} of ${opts.team} already acts as ${user}: nothing changed`);
    });
  slack
    .command('unlink')
    .description('unlink a Slack account (its clicks act as nobody)')
    .argument('<slack-user>', 'the Slack user id')
    .action(async (slackUser: string, _opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('notifier', (c, o) => c.unlinkSlackUser({ tenant: ctx.tenant, slackUser }, o));
      if (ctx.json) return ctx.printJson(notifierv1.UnlinkSlackUserResponse.toJSON(res));
      ctx.print(res.removed ? `Slack user ${slackUser} acts as nobody in tenant ${ctx.tenant}` : `Slack user ${slackUser} was not linked: nothing changed`);
    });
  slack
    .command('list')
    .description("list the tenant's workspace and linked accounts")
    .action(async (_opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('notifier', (c, o) => c.listSlackUsers({ tenant: ctx.tenant }, o));
      if (ctx.json) return ctx.printJson(notifierv1.ListSlackUsersResponse.toJSON(res));
      if (!res.slackTeam) return ctx.print(`tenant ${ctx.tenant} has linked no Slack workspace`);
      ctx.print(`workspace ${res.slackTeam}`);
      if (res.links.length) ctx.print(renderTable(['USER', 'SLACK USER'], res.links.map((l) => [l.principal, l.slackUser])));
    });
}
