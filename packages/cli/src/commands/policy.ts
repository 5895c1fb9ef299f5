import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { approvalsv1 } from '@assent/proto';
import type { Session } from '../session.js';
import type { CliContext } from '../cli-context.js';
import { UsageError } from '../errors/usage-error.js';
import { formatIssue, parsePolicyDocuments, PolicyDocumentError } from '../policy/policy-document.js';
import { formatDuration } from '../policy/duration.js';
import { renderFields } from '../output/table.js';
import { list } from '../output/values.js';

export function registerPolicyCommands(program: Command, session: Session): void {
  const policy = program.command('policy').description('manage approval policies (policy-as-code YAML, see packages/cli/README.md)');

  policy
    .command('apply')
    .description('validate a YAML file of one or more Policy documents and store each one')
    .requiredOption('-f, --file <file>', 'policy YAML file')
    .action(async (opts: { file: string }, command: Command) => {
      const ctx = session.context(command);
      const policies = await readPolicies(resolve(ctx.cwd, opts.file));
      const responses: approvalsv1.PutPolicyResponse[] = [];
      for (const p of policies) {
        try {
          responses.push(await ctx.call('approvals', (c, o) => c.putPolicy({ tenant: ctx.tenant, policy: p }, o)));
        } catch (err) {
          if (responses.length) ctx.note(`note: ${responses.length} of ${policies.length} policies were applied before policy ${p.id} failed`);
          throw err;
        }
      }
      if (ctx.json) {
        const json = responses.map((r) => approvalsv1.PutPolicyResponse.toJSON(r));
        return ctx.printJson(json.length === 1 ? json[0] : json);
      }
      for (const r of responses) {
        ctx.print(`policy ${r.policy?.id} applied to ${r.policy?.action} in tenant ${ctx.tenant} (sha256 ${r.policy?.hash || '-'})`);
      }
    });

  policy
    .command('get')
    .description('show the current policy for an action')
    .argument('<action>', 'protected action, e.g. payouts.change_details')
    .action(async (action: string, _opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('approvals', (c, o) => c.getPolicy({ tenant: ctx.tenant, action }, o));
      if (ctx.json) return ctx.printJson(approvalsv1.GetPolicyResponse.toJSON(res));
      printPolicy(ctx, res.policy);
    });
}

async function readPolicies(path: string): Promise<approvalsv1.Policy[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read policy file ${path}: ${(err as Error).message}`);
  }
  try {
    return parsePolicyDocuments(text);
  } catch (err) {
    if (err instanceof PolicyDocumentError) throw new UsageError(`invalid policy file ${path}`, err.issues.map(formatIssue));
    throw err;
  }
}

function printPolicy(ctx: CliContext, p: approvalsv1.Policy | undefined): void {
  if (!p) return;
  const seconds = Number(p.grantDurationSeconds);
  ctx.print(renderFields([
    ['id', p.id],
    ['action', p.action],
    ['approvers', list(p.approvers)],
    ['quorum', String(p.quorum)],
    ['self-approval', p.allowSelfApproval ? 'allowed' : 'not allowed'],
    ['justification', p.requireJustification ? 'required' : 'optional'],
    ['grant duration', seconds > 0 ? `${formatDuration(seconds)} (${seconds}s)` : ''],
    ['slack channel', p.slackChannel],
    ['hash', p.hash],
  ]));
}
