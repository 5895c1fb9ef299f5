import type { Command } from 'commander';
import { authzv1 } from '@assent/proto';
import type { Session } from '../session.js';
import { positiveInt } from '../options/positive-int.js';

export function registerGroupCommands(program: Command, session: Session): void {
  const group = program
    .command('group')
    .description('manage the tenant\'s groups, which policies name as approvers ("group:<id>#member"); changes need the admin role');

  group
    .command('add-member')
    .description('add a tenant member to a group (the group exists once it has a member)')
    .argument('<group>', 'group id, e.g. finance-leads')
    .argument('<user>', 'user id, e.g. bob')
    .action(async (name: string, user: string, _opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) => c.addGroupMember({ tenant: ctx.tenant, group: name, user }, o));
      if (ctx.json) return ctx.printJson(authzv1.AddGroupMemberResponse.toJSON(res));
      ctx.print(`${user} is a member of group ${name} in tenant ${ctx.tenant}`);
    });

  group
    .command('remove-member')
    .description('remove a user from a group; they stop counting as its approver at once, also on open requests')
    .argument('<group>', 'group id')
    .argument('<user>', 'user id')
    .action(async (name: string, user: string, _opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) => c.removeGroupMember({ tenant: ctx.tenant, group: name, user }, o));
      if (ctx.json) return ctx.printJson(authzv1.RemoveGroupMemberResponse.toJSON(res));
      ctx.print(`${user} is not a member of group ${name} in tenant ${ctx.tenant}`);
    });

  group
    .command('of')
    .description("list the groups a user is in (default: you)")
    .argument('[user]', 'user id')
    .action(async (user: string | undefined, _opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) => c.listUserGroups({ tenant: ctx.tenant, user: user ?? '' }, o));
      if (ctx.json) return ctx.printJson(authzv1.ListUserGroupsResponse.toJSON(res));
      ctx.print(res.groups.length ? res.groups.join('\n') : 'in no group');
    });

  group
    .command('members')
    .description("list a group's members")
    .argument('<group>', 'group id')
    .option('--limit <n>', 'page size (the server caps it at 100)', positiveInt)
    .option('--page-token <token>', 'continue from a previous page')
    .action(async (name: string, opts: { limit?: number; pageToken?: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) => c.listGroupMembers({ tenant: ctx.tenant, group: name, pageSize: opts.limit ?? 0, pageToken: opts.pageToken ?? '' }, o));
      if (ctx.json) return ctx.printJson(authzv1.ListGroupMembersResponse.toJSON(res));
      ctx.print(res.users.length ? res.users.join('\n') : `group ${name} has no members`);
      if (res.nextPageToken) ctx.print(`\nmore: --page-token ${res.nextPageToken}`);
    });
}
