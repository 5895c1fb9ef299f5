import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { authzv1 } from '@assent/proto';
import type { Session } from '../session.js';
import { indent, renderFields, renderTable } from '../output/table.js';
import { enumLabel, iso, list } from '../output/values.js';
import { collectParam, jsonObject, type Params } from '../options/params.js';
import { positiveInt } from '../options/positive-int.js';
import { UsageError } from '../errors/usage-error.js';

/** The context a check is asked with: --context JSON, then each --ctx key=value over it. */
const contextOptions = [
  new Option('--context <json>', 'the context as one JSON object, e.g. \'{"amount": 1500}\' (the action\'s protection conditions are evaluated against it)').argParser(jsonObject),
  new Option('--ctx <key=value>', 'one context entry (repeatable; value as JSON, else a string: amount=1500 currency=EUR); wins over --context').argParser(collectParam),
];
const contextOf = (opts: { context?: Params; ctx?: Params }): Params | undefined => (opts.context || opts.ctx ? { ...opts.context, ...opts.ctx } : undefined);
const conditionLabel = (c: authzv1.ProtectionCondition | undefined) => (c ? `${c.name}: ${c.when}` : '');

export function registerAuthzCommands(program: Command, session: Session): void {
  const authz = program.command('authz').description('ask the decision point and list protected actions');

  authz
    .command('check')
    .description('ask whether a principal may perform an action on a resource now')
    .requiredOption('--action <action>', 'protected action, e.g. payouts.change_details')
    .requiredOption('--resource <resource>', 'resource the action targets, e.g. payout-account/42')
    .option('--principal <subject>', 'who is asking (defaults to the caller)')
    .addOption(contextOptions[0] as Option)
    .addOption(contextOptions[1] as Option)
    .option('--fresh', 'bypass the decision cache: read every fact from OpenFGA at full consistency')
    .action(async (opts: { action: string; resource: string; principal?: string; context?: Params; ctx?: Params; fresh?: boolean }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) =>
        c.check(
          {
            tenant: ctx.tenant,
            principal: opts.principal ?? '',
            action: opts.action,
            resource: opts.resource,
            context: contextOf(opts),
            consistency: opts.fresh ? authzv1.Consistency.CONSISTENCY_FULL : authzv1.Consistency.CONSISTENCY_UNSPECIFIED,
          },
          o,
        ),
      );
      if (ctx.json) return ctx.printJson(authzv1.CheckResponse.toJSON(res));
      ctx.print(renderFields([
        ['decision', enumLabel(authzv1.decisionToJSON(res.decision), 'DECISION_')],
        ['reason', res.reason],
        ['policy', res.policy?.id ? `${res.policy.id} (sha256 ${res.policy.hash.slice(0, 12)})` : ''],
        ['condition', conditionLabel(res.matchedCondition)],
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
    .command('access')
    .description('list what a principal may do now: the grants it holds (with their windows), the actions it may request and approve')
    .option('--principal <subject>', 'whose access (defaults to the caller; tenant admins may name anyone)')
    .action(async (opts: { principal?: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) => c.listAccess({ tenant: ctx.tenant, principal: opts.principal ?? '' }, o));
      if (ctx.json) return ctx.printJson(authzv1.ListAccessResponse.toJSON(res));
      if (!res.member) return ctx.print(`not a member of tenant ${ctx.tenant}: no access`);
      ctx.print(renderFields([
        ['may request', list(res.requestableActions)],
        ['may approve', list(res.approvableActions)],
      ]));
      ctx.print(res.grants.length
        ? `grants:\n${indent(renderTable(['ACTION', 'RESOURCE', 'CONDITION', 'FROM', 'UNTIL'], res.grants.map((g) => [g.action, g.resource, g.condition || '-', iso(g.startsAt), iso(g.expiresAt)])))}`
        : 'grants: none active');
    });

  authz
    .command('explain')
    .description('say why a check decides what it does: membership, the policy, the grant and its window, the step-up session (read fresh, nothing changes)')
    .requiredOption('--action <action>', 'protected action, e.g. payouts.change_details')
    .requiredOption('--resource <resource>', 'resource the action targets, e.g. payout-account/42')
    .option('--principal <subject>', 'whose access (defaults to the caller; tenant admins may name anyone)')
    .addOption(contextOptions[0] as Option)
    .addOption(contextOptions[1] as Option)
    .action(async (opts: { action: string; resource: string; principal?: string; context?: Params; ctx?: Params }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) =>
        c.explain({ tenant: ctx.tenant, principal: opts.principal ?? '', action: opts.action, resource: opts.resource, context: contextOf(opts) }, o),
      );
      if (ctx.json) return ctx.printJson(authzv1.ExplainResponse.toJSON(res));
      ctx.print(renderFields([
        ['decision', enumLabel(authzv1.decisionToJSON(res.decision), 'DECISION_')],
        ['because', res.reason],
        ['policy', res.policy?.id ? `${res.policy.id} (sha256 ${res.policy.hash.slice(0, 12)})` : ''],
        ['condition', conditionLabel(res.matchedCondition)],
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
        ['ACTION', 'POLICY', 'APPROVERS', 'STEP-UP', 'PROTECTED WHEN', 'VERSION', 'UPDATED'],
        res.protectedActions.map((a) => [
          a.action,
          a.policy?.id ?? '-',
          list(a.approvers),
          stepUp(a),
          a.conditions.length ? a.conditions.map(conditionLabel).join('; ') : 'always',
          String(a.version),
          iso(a.updatedAt),
        ]),
      ));
    });

  // The authorization model: shown to admins, applied and simulated by platform admins.
  const model = authz.command('model').description('the authorization model every decision is made with: show it, apply another, or simulate one against recorded decisions');
  const readModel = async (file: string): Promise<string> => {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
    }
  };
  const decisionLabel = (d: authzv1.Decision) => enumLabel(authzv1.decisionToJSON(d), 'DECISION_');

  model
    .command('get')
    .description('show the current model: its id and where it came from (built in, or applied by whom and when); tenant and platform admins')
    .option('--dsl', "print only the model itself, in OpenFGA's DSL")
    .action(async (opts: { dsl?: boolean }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('authz', (c, o) => c.getModel({}, o));
      if (ctx.json) return ctx.printJson(authzv1.GetModelResponse.toJSON(res));
      if (opts.dsl) return ctx.print(res.dsl.replace(/\n$/, ''));
      ctx.print(renderFields([
        ['model', res.modelId],
        ['source', res.source === 'builtin' ? "built in (this release's model)" : 'applied'],
        [res.source === 'builtin' ? 'current since' : 'applied', iso(res.appliedAt)],
        ['applied by', res.source === 'builtin' ? '' : res.appliedBy],
      ]));
    });

  model
    .command('apply')
    .description('make a model current on every replica (platform admins); it must keep every type and relation authz relies on, and applying the current model changes nothing')
    .requiredOption('-f, --file <path>', "the model in OpenFGA's DSL (schema 1.1), e.g. services/authz/model/assent.fga")
    .action(async (opts: { file: string }, command: Command) => {
      const ctx = session.context(command);
      const dsl = await readModel(opts.file);
      const res = await ctx.call('authz', (c, o) => c.applyModel({ dsl }, o));
      if (ctx.json) return ctx.printJson(authzv1.ApplyModelResponse.toJSON(res));
      ctx.print(res.changed ? `model ${res.modelId} is current (it replaced ${res.previousModelId})` : `model ${res.modelId} is current already (unchanged)`);
    });

  model
    .command('simulate')
    .description('replay recorded decisions under the current model and under a draft, and list those the draft would change (platform admins; nothing is applied)')
    .requiredOption('-f, --file <path>', "the draft model in OpenFGA's DSL (schema 1.1)")
    .option('--limit <n>', 'how many of the newest recorded decisions to replay (default 1000, at most 10000)', positiveInt)
    .action(async (opts: { file: string; limit?: number }, command: Command) => {
      const ctx = session.context(command);
      const dsl = await readModel(opts.file);
      const res = await ctx.call('authz', (c, o) => c.simulateModel({ dsl, limit: opts.limit ?? 0 }, o));
      if (ctx.json) return ctx.printJson(authzv1.SimulateModelResponse.toJSON(res));
      if (res.changes.length) {
        ctx.print(renderTable(
          ['DECISION', 'TENANT', 'PRINCIPAL', 'ACTION', 'RESOURCE', 'RECORDED', 'CURRENT', 'DRAFT'],
          res.changes.map((c) => [c.decisionId, c.tenant, c.principal, c.action, c.resource, decisionLabel(c.recorded), decisionLabel(c.current), decisionLabel(c.draft)]),
        ));
      }
      const skipped = res.skipped ? `; ${res.skipped} skipped (authz logs why)` : '';
      ctx.print(`${res.changes.length} of ${res.replayed} replayed decisions would change under draft model ${res.draftModelId}${skipped}`);
    });
}
