import type { Command } from 'commander';
import { authzv1 } from '@assent/proto';
import type { Session } from '../session.js';
import { renderFields } from '../output/table.js';
import { iso } from '../output/values.js';

export function registerTenantCommands(program: Command, session: Session): void {
  const tenant = program.command('tenant').description('manage tenants and their members (needs the platform-admin role)');

  tenant
    .command('create')
    .description('register a tenant; running it again with the same input changes nothing')
    .argument('<id>', 'tenant id, e.g. acme')
    .option('--display-name <name>', 'human-readable name')
    .action(async (id: string, opts: { displayName?: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) => c.createTenant({ id, displayName: opts.displayName ?? '' }, o));
      if (ctx.json) return ctx.printJson(authzv1.CreateTenantResponse.toJSON(res));
      ctx.print(res.created ? `tenant ${id} created` : `tenant ${id} already exists (unchanged)`);
      ctx.print(renderFields([
        ['id', res.tenant?.id],
        ['display name', res.tenant?.displayName],
        ['created', iso(res.tenant?.createdAt)],
      ]));
    });

  tenant
    .command('add-member')
    .description('let a user request protected actions in the tenant given by --tenant')
    .argument('<user>', 'user id, e.g. alice')
    .action(async (user: string, _opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) => c.addTenantMember({ tenant: ctx.tenant, user }, o));
      if (ctx.json) return ctx.printJson(authzv1.AddTenantMemberResponse.toJSON(res));
      ctx.print(`${user} is a member of tenant ${ctx.tenant}`);
    });
}
