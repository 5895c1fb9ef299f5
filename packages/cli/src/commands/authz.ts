import type { Command } from 'commander';
import { authzv1 } from '@assent/proto';
import type { Session } from '../session.js';
import { renderFields, renderTable } from '../output/table.js';
import { enumLabel, iso, list } from '../output/values.js';

export function registerAuthzCommands(program: Command, session: Session): void {
  const authz = program.command('authz').description('ask the decision point and list protected actions');

  authz
    .command('check')
    .description('ask whether a principal may perform an action on a resource now')
    .requiredOption('--action <action>', 'protected action, e.g. payouts.change_details')
    .requiredOption('--resource <resource>', 'resource the action targets, e.g. payout-account/42')
    .option('--principal <subject>', 'who is asking (defaults to the caller)')
    .action(async (opts: { action: string; resource: string; principal?: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) =>
        c.check({ tenant: ctx.tenant, principal: opts.principal ?? '', action: opts.action, resource: opts.resource }, o),
      );
      if (ctx.json) return ctx.printJson(authzv1.CheckResponse.toJSON(res));
      ctx.print(renderFields([
        ['decision', enumLabel(authzv1.decisionToJSON(res.decision), 'DECISION_')],
        ['reason', res.reason],
        ['policy', res.policy?.id ? `${res.policy.id} (sha256 ${res.policy.hash.slice(0, 12)})` : ''],
        ['grant expires', iso(res.grantExpiresAt)],
        ['model', res.modelId],
        ['decision id', res.decisionId],
      ]));
    });

  authz
    .command('actions')
    .description("list the tenant's protected actions and who may approve them")
    .action(async (_opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) => c.listProtectedActions({ tenant: ctx.tenant }, o));
      if (ctx.json) return ctx.printJson(authzv1.ListProtectedActionsResponse.toJSON(res));
      if (!res.protectedActions.length) return ctx.print('no protected actions');
      ctx.print(renderTable(
        ['ACTION', 'POLICY', 'APPROVERS', 'UPDATED'],
        res.protectedActions.map((a) => [a.action, a.policy?.id ?? '-', list(a.approvers), iso(a.updatedAt)]),
      ));
    });
}
