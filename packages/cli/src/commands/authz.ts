import type { Command } from 'commander';
import { authzv1 } from '@assent/proto';
import type { Session } from '../session.js';
import { indent, renderFields, renderTable } from '../output/table.js';
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
    .command('approvers')
    .description('list who may approve requests for an action now: named users and group members, members of the tenant only')
    .requiredOption('--action <action>', 'protected action, e.g. payouts.change_details')
    .action(async (opts: { action: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) => c.listApprovers({ tenant: ctx.tenant, action: opts.action }, o));
      if (ctx.json) return ctx.printJson(authzv1.ListApproversResponse.toJSON(res));
      ctx.print(res.users.length ? res.users.join('\n') : 'nobody may approve it now');
    });

  authz
    .command('explain')
    .description('say why a check decides what it does: membership, the policy, the grant and its window, the step-up session (read fresh, nothing changes)')
    .requiredOption('--action <action>', 'protected action, e.g. payouts.change_details')
    .requiredOption('--resource <resource>', 'resource the action targets, e.g. payout-account/42')
    .option('--principal <subject>', 'whose access (defaults to the caller; tenant admins may name anyone)')
    .action(async (opts: { action: string; resource: string; principal?: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) => c.explain({ tenant: ctx.tenant, principal: opts.principal ?? '', action: opts.action, resource: opts.resource }, o));
      if (ctx.json) return ctx.printJson(authzv1.ExplainResponse.toJSON(res));
      ctx.print(renderFields([
        ['decision', enumLabel(authzv1.decisionToJSON(res.decision), 'DECISION_')],
        ['because', res.reason],
        ['policy', res.policy?.id ? `${res.policy.id} (sha256 ${res.policy.hash.slice(0, 12)})` : ''],
        ['model', res.modelId],
      ]));
      ctx.print(`facts:\n${indent(renderTable(['FACT', 'HOLDS', 'DETAIL'], res.facts.map((f) => [f.name, f.holds ? 'yes' : 'no', f.detail])))}`);
    });

  const session_ = (s: authzv1.StepUpSession | undefined) =>
    renderFields([
      ['principal', s?.principal ?? ''],
      ['signed in', `${iso(s?.authTime)}${s?.acr ? ` (acr ${s.acr})` : ''}${s?.amr.length ? ` (amr ${s.amr.join(', ')})` : ''}`],
      ['expires', `${iso(s?.expiresAt)} unless used again (each sensitive action extends it)`],
    ]);

  authz
    .command('step-up')
    .description('open a step-up session from a fresh strong sign-in (with --as, add --mfa), for actions and approvals that need one')
    .action(async (_opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) => c.stepUp({ tenant: ctx.tenant }, o));
      if (ctx.json) return ctx.printJson(authzv1.StepUpResponse.toJSON(res));
      ctx.print(session_(res.session));
    });

  authz
    .command('step-up-status')
    .description('whether you hold a step-up session now (asking extends it)')
    .action(async (_opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) => c.checkStepUp({ tenant: ctx.tenant, principal: '' }, o));
      if (ctx.json) return ctx.printJson(authzv1.CheckStepUpResponse.toJSON(res));
      ctx.print(res.active ? session_(res.session) : `no step-up session; one needs ${res.requirement}`);
    });

  authz
    .command('actions')
    .description("list the tenant's protected actions and who may approve them")
    .action(async (_opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) => c.listProtectedActions({ tenant: ctx.tenant }, o));
      if (ctx.json) return ctx.printJson(authzv1.ListProtectedActionsResponse.toJSON(res));
      if (!res.protectedActions.length) return ctx.print('no protected actions');
      const stepUp = (a: authzv1.ProtectedAction) => [a.stepUpToAct ? 'to act' : '', a.stepUpToApprove ? 'to approve' : ''].filter(Boolean).join(', ') || '-';
      ctx.print(renderTable(
        ['ACTION', 'POLICY', 'APPROVERS', 'STEP-UP', 'UPDATED'],
        res.protectedActions.map((a) => [a.action, a.policy?.id ?? '-', list(a.approvers), stepUp(a), iso(a.updatedAt)]),
      ));
    });
}
