import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { approvalsv1 } from '@assent/proto';
import type { Session } from '../session.js';
import type { CliContext } from '../cli-context.js';
import { UsageError } from '../errors/usage-error.js';
import { formatIssue, parsePolicyDocuments, PolicyDocumentError } from '../policy/policy-document.js';
import { formatDuration } from '../policy/duration.js';
import { indent, renderFields, renderTable } from '../output/table.js';
import { iso, list } from '../output/values.js';

export function registerPolicyCommands(program: Command, session: Session): void {
  const policy = program.command('policy').description('manage approval policies (policy-as-code YAML, see packages/cli/README.md)');

  policy
    .command('validate')
    .description('check policy files (YAML or JSON) against the policy schema without applying them; exits 2 naming file, path and reason')
    .argument('<path>', 'a policy file, or a directory whose .yaml, .yml and .json files (recursively) are checked')
    .action(async (path: string, _opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const found = await readPolicySet(resolve(ctx.cwd, path), ctx.cwd);
      if (ctx.json) return ctx.printJson({ valid: true, files: found.files.length, policies: found.policies.map((p) => ({ file: p.file, id: p.policy.id, action: p.policy.action })) });
      for (const p of found.policies) ctx.print(`${p.file}: policy ${p.policy.id} (${p.policy.action}) is valid`);
      ctx.print(`${found.policies.length} policies in ${found.files.length} files are valid`);
    });

  policy
    .command('apply')
    .description('validate every Policy document of a file or directory, then store each one; nothing is applied unless all are valid')
    .requiredOption('-f, --file <path>', 'policy file (YAML or JSON) or a directory of them')
    .action(async (opts: { file: string }, command: Command) => {
      const ctx = session.context(command);
      const policies = (await readPolicySet(resolve(ctx.cwd, opts.file), ctx.cwd)).policies.map((p) => p.policy);
      const ids = new Map<string, string>();
      for (const p of policies) {
        const other = ids.get(p.action);
        if (other) throw new UsageError(`policies ${other} and ${p.id} both govern ${p.action}; one action has one policy`);
        ids.set(p.action, p.id);
      }
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
    .command('simulate')
    .description('show, without side effects, what a request for the action would get: policy, approvers (groups expanded), quorum and every timer')
    .argument('<action>', 'protected action, e.g. payouts.approve_vendor')
    .option('--at <time>', 'when the request would be made (RFC 3339); defaults to now')
    .action(async (action: string, opts: { at?: string }, command: Command) => {
      const ctx = session.context(command);
      const at = opts.at === undefined ? undefined : new Date(opts.at);
      if (at && Number.isNaN(at.getTime())) throw new UsageError(`--at "${opts.at}" is not a time; use RFC 3339, e.g. 2026-12-01T09:00:00Z`);
      const res = await ctx.call('approvals', (c, o) => c.simulate({ tenant: ctx.tenant, action, at }, o));
      if (ctx.json) return ctx.printJson(approvalsv1.SimulateResponse.toJSON(res));
      printPolicy(ctx, res.policy);
      if (res.groups.length) {
        ctx.print('\ngroups now:');
        ctx.print(renderTable(['GROUP', 'MEMBERS'], res.groups.map((g) => [g.subject, `${list(g.users) || '(none)'}${g.truncated ? ', …' : ''}`])));
      }
      ctx.print('\ntimers if nobody acts:');
      ctx.print(res.timers.length ? renderTable(['AT', 'TIMER', 'WHAT HAPPENS'], res.timers.map((t) => [iso(t.at), t.timer, t.detail])) : '(none: the request waits until someone decides)');
      if (res.timersTruncated) ctx.print('(first 50 shown)');
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

const POLICY_FILE = /\.(ya?ml|json)$/i;

async function policyFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch((err: unknown) => {
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  });
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && POLICY_FILE.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Every policy document under `path` (a file or a directory), checked against the
 * policy schema. Problems in any file fail the whole set, each named by file, path
 * and line, so a set is applied whole or not at all.
 */
async function readPolicySet(path: string, cwd: string): Promise<{ files: string[]; policies: { file: string; policy: approvalsv1.Policy }[] }> {
  const files = await policyFiles(path);
  if (!files.length) throw new UsageError(`no policy files (.yaml, .yml, .json) under ${path}`);
  const policies: { file: string; policy: approvalsv1.Policy }[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const shown = relative(cwd, file) || file;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      problems.push(`${shown}: cannot read: ${(err as Error).message}`);
      continue;
    }
    try {
      for (const policy of parsePolicyDocuments(text)) policies.push({ file: shown, policy });
    } catch (err) {
      if (!(err instanceof PolicyDocumentError)) throw err;
      problems.push(...err.issues.map((i) => (files.length > 1 ? `${shown}: ${formatIssue(i)}` : formatIssue(i))));
    }
  }
  const where = relative(cwd, path) || '.';
  if (problems.length) throw new UsageError(files.length === 1 && files[0] === path ? `invalid policy file ${where}` : `invalid policies under ${where}: nothing was applied`, problems);
  return { files, policies };
}

const dur = (s: string | undefined) => (Number(s) > 0 ? formatDuration(Number(s)) : '');

function printPolicy(ctx: CliContext, p: approvalsv1.Policy | undefined): void {
  if (!p) return;
  const seconds = Number(p.grantDurationSeconds);
  const s = p.schedule;
  const tiers = (s?.escalation ?? []).map((t, i) => `${i}: after ${dur(t.afterSeconds)} ${t.mode === approvalsv1.EscalationMode.ESCALATION_MODE_REPLACE ? 'replace with' : 'add'} ${list(t.approvers)}`);
  ctx.print(renderFields([
    ['id', p.id],
    ['action', p.action],
    ['requires', requirementsLine(p.requirements)],
    ['sla', dur(s?.slaSeconds)],
    ['reminders', [...(s?.reminderAfterSeconds ?? []).map((r) => `after ${dur(r)}`), ...(Number(s?.reminderRepeatSeconds) > 0 ? [`then every ${dur(s?.reminderRepeatSeconds)}`] : [])].join(', ')],
    ['escalation', [...tiers, ...(s?.escalationLoopTo !== undefined ? [`then loop to ${s.escalationLoopTo}`] : [])].join('; ')],
    ['expires after', dur(s?.expireAfterSeconds)],
    ['self-approval', p.allowSelfApproval ? 'allowed' : 'not allowed'],
    ['justification', p.requireJustification ? 'required' : 'optional'],
    ['grant duration', seconds > 0 ? `${formatDuration(seconds)} (${seconds}s)` : ''],
    ['max grant duration', dur(p.maxGrantDurationSeconds)],
    ['step-up', [p.requireStepUpToAct ? 'to act' : '', p.requireStepUpToApprove ? 'to approve' : ''].filter(Boolean).join(', ') || 'not needed'],
    ['extending a grant', p.extensionRequiresApproval ? 'needs an approved extension request' : 'by the requester, up to the cap'],
    ['acknowledgements', p.acknowledgements.map((a) => a.id).join(', ')],
    ['approvers may edit', p.approverEditable.join(', ')],
    ['parameters', parametersSummary(p.parametersSchema)],
    ['re-request cooldown', Number(p.rerequestCooldownSeconds) > 0 ? `${dur(p.rerequestCooldownSeconds)} after a decline` : ''],
    ['max requests per day', p.maxRequestsPerDay > 0 ? `${p.maxRequestsPerDay} per requester, action and resource` : ''],
    ['slack channel', p.slackChannel],
    ['hash', p.hash],
  ]));
  if (p.tiers.length) {
    const rows = p.tiers.map((t) => [t.name, t.when, t.requirements.length ? requirementsLine(t.requirements) : "the policy's (see requires)"]);
    ctx.print(`\ntiers (the first that holds for a request's parameters decides; below every tier no approval is needed):\n${indent(renderTable(['TIER', 'WHEN', 'REQUIRES'], rows))}`);
  }
}

/** "finance: 1 of group:finance#member AND risk: 1 of group:risk#member". */
const requirementsLine = (requirements: approvalsv1.ApproverRequirement[]) => requirements.map((q) => `${q.name}: ${q.quorum} of ${list(q.approvers)}`).join(' AND ');

/** "amount, currency (see -o json for the schema)": the parameters a policy's schema names. */
function parametersSummary(schema: Record<string, unknown> | undefined): string {
  if (!schema) return '';
  const properties = schema['properties'];
  const names = properties && typeof properties === 'object' ? Object.keys(properties) : [];
  return `${names.length ? names.join(', ') : 'a JSON Schema'} (see -o json for the schema)`;
}
