import { Option, type Command } from 'commander';
import { approvalsv1 } from '@assent/proto';
import type { Session } from '../session.js';
import { collect } from '../options/collect.js';
import { durationSeconds } from '../options/duration.js';
import { collectParam, jsonObject, type Params } from '../options/params.js';
import { positiveInt } from '../options/positive-int.js';
import { rfc3339 } from '../options/time.js';
import { renderRequest, renderRequestList } from '../output/request-view.js';
import { forOption, snoozeTarget, type snoozePresets } from './inbox.js';

const states = {
  pending: approvalsv1.RequestState.REQUEST_STATE_PENDING,
  'changes-requested': approvalsv1.RequestState.REQUEST_STATE_CHANGES_REQUESTED,
  approved: approvalsv1.RequestState.REQUEST_STATE_APPROVED,
  declined: approvalsv1.RequestState.REQUEST_STATE_DECLINED,
  cancelled: approvalsv1.RequestState.REQUEST_STATE_CANCELLED,
  expired: approvalsv1.RequestState.REQUEST_STATE_EXPIRED,
  deferred: approvalsv1.RequestState.REQUEST_STATE_DEFERRED,
} as const;

type Act = 'approve' | 'decline' | 'requestChanges' | 'comment' | 'resubmit' | 'cancel';

/** What `request approve` takes besides its reason. */
interface ApproveOptions {
  ack?: string[];
  setGrantDuration?: number;
  setEffectiveAt?: Date;
  setParam?: Params;
}

const approveOptions = () => [
  new Option('--ack <id>', "tick one of the request's acknowledgements (repeatable; approving needs every one it lists)").argParser((id: string, previous?: string[]) => collect(id, previous ?? [])),
  new Option('--set-grant-duration <duration>', 'change the grant length, e.g. 30m or 2h (if the policy lets approvers)').argParser(durationSeconds),
  new Option('--set-effective-at <time>', 'change when the effect starts, RFC 3339 (if the policy lets approvers)').argParser(rfc3339),
  new Option('--set-param <key=value>', 'change a parameter (repeatable; value as JSON, else a string; key=null removes it; if the policy lets approvers)').argParser(collectParam),
];

/**
 * The acknowledgements and edits an approval carries. Edits go only with a --set-*
 * option: an approval without them leaves the request as it was asked for.
 */
export function approveFields(opts: ApproveOptions): Pick<approvalsv1.ApproveRequest, 'acknowledged' | 'edits'> {
  const edit = opts.setGrantDuration !== undefined || opts.setEffectiveAt !== undefined || opts.setParam !== undefined;
  return {
    acknowledged: opts.ack ?? [],
    edits: edit
      ? {
          // int64 travels as a decimal string (ts-proto forceLong=string).
          grantDurationSeconds: opts.setGrantDuration === undefined ? undefined : String(opts.setGrantDuration),
          effectiveAt: opts.setEffectiveAt,
          parameters: opts.setParam,
        }
      : undefined,
  };
}

/** The commands that act on one request: each takes the request id and a reason, and some take more options. */
const acts: { verb: string; rpc: Act; description: string; reason: [flag: string, what: string]; options?: () => Option[] }[] = [
  { verb: 'approve', rpc: 'approve', description: 'approve a request; it is approved once every requirement has its quorum', reason: ['--reason <text>', 'why you approve (required; shown to the requester and audited)'], options: approveOptions },
  { verb: 'decline', rpc: 'decline', description: 'decline a request', reason: ['--reason <text>', 'why you decline (required)'] },
  { verb: 'request-changes', rpc: 'requestChanges', description: 'send a request back to its requester to amend and resubmit', reason: ['--reason <text>', 'what to change (required)'] },
  { verb: 'comment', rpc: 'comment', description: 'add a note to a request without deciding (requester or approvers)', reason: ['--text <text>', 'the note (required)'] },
  { verb: 'resubmit', rpc: 'resubmit', description: 'amend a request sent back to you and submit it again (requester)', reason: ['--justification <text>', 'the amended justification (required)'] },
  { verb: 'cancel', rpc: 'cancel', description: 'withdraw your open request (requester)', reason: ['--reason <text>', 'why (required)'] },
];

interface CreateOptions {
  action: string;
  resource: string;
  justification?: string;
  idempotencyKey?: string;
  param?: Params;
  params?: Params;
  grantDuration?: number;
  effectiveAt?: Date;
}

/** Parameters (--params, then each --param over it), grant length and start of a new request. */
export function createFields(opts: Pick<CreateOptions, 'param' | 'params' | 'grantDuration' | 'effectiveAt'>): Pick<approvalsv1.CreateRequestRequest, 'parameters' | 'grantDurationSeconds' | 'effectiveAt'> {
  const given = opts.params !== undefined || opts.param !== undefined;
  return {
    parameters: given ? { ...opts.params, ...opts.param } : undefined,
    // 0 asks for the policy's grant duration.
    grantDurationSeconds: String(opts.grantDuration ?? 0),
    effectiveAt: opts.effectiveAt,
  };
}

export function registerRequestCommands(program: Command, session: Session): void {
  const request = program.command('request').description('open, inspect and decide approval requests');

  request
    .command('create')
    .description('ask to perform a protected action; opens an approval request unless it is already allowed')
    .requiredOption('--action <action>', 'protected action, e.g. payouts.change_details')
    .requiredOption('--resource <resource>', 'resource the action targets, e.g. payout-account/42')
    .option('--justification <text>', 'why you need it (some policies require one)')
    .option('--idempotency-key <key>', 'retrying with the same key returns the same request')
    .option('--param <key=value>', "a parameter the policy's parametersSchema checks (repeatable; value as JSON, else a string: amount=120 currency=EUR)", collectParam)
    .option('--params <json>', 'parameters as one JSON object; --param entries win over its keys', jsonObject)
    .option('--grant-duration <duration>', "grant length to ask for, e.g. 30m or 2h (default: the policy's; at most its maxGrantDuration)", durationSeconds)
    .option('--effective-at <time>', 'start the effect later, RFC 3339, e.g. 2026-12-01T09:00:00Z (approved before then, the request is deferred)', rfc3339)
    .action(async (opts: CreateOptions, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('approvals', (c, o) =>
        c.createRequest(
          {
            tenant: ctx.tenant,
            action: opts.action,
            resource: opts.resource,
            justification: opts.justification ?? '',
            idempotencyKey: opts.idempotencyKey ?? '',
            ...createFields(opts),
          },
          o,
        ),
      );
      if (ctx.json) return ctx.printJson(approvalsv1.CreateRequestResponse.toJSON(res));
      if (res.alreadyAllowed) return ctx.print(`already allowed: ${res.reason}`);
      if (res.request) ctx.print(renderRequest(res.request));
    });

  request
    .command('get')
    .description('show one request with its votes')
    .argument('<id>', 'request id')
    .action(async (id: string, _opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('approvals', (c, o) => c.getRequest({ tenant: ctx.tenant, id }, o));
      if (ctx.json) return ctx.printJson(approvalsv1.GetRequestResponse.toJSON(res));
      if (res.request) ctx.print(renderRequest(res.request));
    });

  request
    .command('list')
    .description("list the tenant's requests, newest first")
    .addOption(new Option('--state <state>', 'only requests in this state').choices(Object.keys(states)))
    .option('--limit <n>', 'page size (the server caps it at 100)', positiveInt)
    .option('--page-token <token>', 'continue from a previous page')
    .action(async (opts: { state?: keyof typeof states; limit?: number; pageToken?: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('approvals', (c, o) =>
        c.listRequests(
          {
            tenant: ctx.tenant,
            state: opts.state ? states[opts.state] : approvalsv1.RequestState.REQUEST_STATE_UNSPECIFIED,
            pageSize: opts.limit ?? 0,
            pageToken: opts.pageToken ?? '',
          },
          o,
        ),
      );
      if (ctx.json) return ctx.printJson(approvalsv1.ListRequestsResponse.toJSON(res));
      ctx.print(res.requests.length ? renderRequestList(res.requests) : 'no requests');
      if (res.nextPageToken) ctx.print(`\nmore: --page-token ${res.nextPageToken}`);
    });

  request
    .command('break-glass')
    .description('approve your own pending request in an emergency, where the policy allows it (announced at high severity, reviewed afterwards)')
    .argument('<id>', 'request id')
    .requiredOption('--reason <text>', 'why this cannot wait (required)')
    .action(async (id: string, opts: { reason: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('approvals', (c, o) => c.breakGlass({ tenant: ctx.tenant, id, reason: opts.reason }, o));
      if (ctx.json) return ctx.printJson(approvalsv1.BreakGlassResponse.toJSON(res));
      if (res.request) ctx.print(renderRequest(res.request));
    });

  request
    .command('review')
    .description('record your verdict on a break-glass approval (approvers)')
    .argument('<id>', 'request id')
    .addOption(new Option('--verdict <verdict>', 'accepted: the emergency use was justified; concern: it was not').choices(['accepted', 'concern']).makeOptionMandatory())
    .requiredOption('--reason <text>', 'why (required)')
    .action(async (id: string, opts: { verdict: 'accepted' | 'concern'; reason: string }, command: Command) => {
      const ctx = session.context(command);
      const verdict = opts.verdict === 'accepted' ? approvalsv1.BreakGlassVerdict.BREAK_GLASS_VERDICT_ACCEPTED : approvalsv1.BreakGlassVerdict.BREAK_GLASS_VERDICT_CONCERN;
      const res = await ctx.call('approvals', (c, o) => c.reviewBreakGlass({ tenant: ctx.tenant, id, verdict, reason: opts.reason }, o));
      if (ctx.json) return ctx.printJson(approvalsv1.ReviewBreakGlassResponse.toJSON(res));
      if (res.request) ctx.print(renderRequest(res.request));
    });

  request
    .command('revoke')
    .description("end an approved request's grant early (the requester, an approver, or an admin)")
    .argument('<id>', 'request id')
    .requiredOption('--reason <text>', 'why (required)')
    .action(async (id: string, opts: { reason: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('approvals', (c, o) => c.revokeGrant({ tenant: ctx.tenant, id, reason: opts.reason }, o));
      if (ctx.json) return ctx.printJson(approvalsv1.RevokeGrantResponse.toJSON(res));
      if (res.request) ctx.print(renderRequest(res.request));
    });

  request
    .command('extend')
    .description("lengthen your active grant: at once up to the policy's cap, or through an extension request approvers decide, where the policy says so")
    .argument('<id>', 'the approved request whose grant to extend')
    .requiredOption('--by <duration>', 'how much longer, e.g. 30m or 2h', durationSeconds)
    .requiredOption('--reason <text>', 'why (required)')
    .action(async (id: string, opts: { by: number; reason: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('approvals', (c, o) => c.extendGrant({ tenant: ctx.tenant, id, extendBySeconds: String(opts.by), reason: opts.reason }, o));
      if (ctx.json) return ctx.printJson(approvalsv1.ExtendGrantResponse.toJSON(res));
      if (res.extensionRequest) {
        ctx.print(`the policy needs the extension approved; extension request opened:\n`);
        return ctx.print(renderRequest(res.extensionRequest));
      }
      if (res.request) ctx.print(renderRequest(res.request));
    });

  request
    .command('reassign')
    .description('hand your part of a pending request to someone else in the tenant (the handoff is recorded)')
    .argument('<id>', 'request id')
    .requiredOption('--to <user>', 'who takes over')
    .requiredOption('--reason <text>', 'why (required)')
    .action(async (id: string, opts: { to: string; reason: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('approvals', (c, o) => c.reassign({ tenant: ctx.tenant, id, to: opts.to, reason: opts.reason }, o));
      if (ctx.json) return ctx.printJson(approvalsv1.ReassignResponse.toJSON(res));
      if (res.request) ctx.print(renderRequest(res.request));
    });

  request
    .command('snooze')
    .description('set a pending request aside until later; it comes back to your pending inbox by itself')
    .argument('<id>', 'request id')
    .addOption(forOption())
    .option('--until <time>', 'snooze until this time (RFC 3339)')
    .action(async (id: string, opts: { for?: keyof typeof snoozePresets; until?: string }, command: Command) => {
      const ctx = session.context(command);
      const target = snoozeTarget(opts);
      const res = await ctx.call('approvals', (c, o) => c.snooze({ tenant: ctx.tenant, id, ...target }, o));
      if (ctx.json) return ctx.printJson(approvalsv1.SnoozeResponse.toJSON(res));
      if (res.request) ctx.print(renderRequest(res.request));
    });

  for (const act of acts) {
    const verb = request
      .command(act.verb)
      .description(act.description)
      .argument('<id>', 'request id')
      .requiredOption(act.reason[0], act.reason[1]);
    for (const option of act.options?.() ?? []) verb.addOption(option);
    verb.action(async (id: string, opts: { reason?: string; text?: string; justification?: string } & ApproveOptions, command: Command) => {
      const ctx = session.context(command);
      const text = opts.reason ?? opts.text ?? opts.justification ?? '';
      const res = await ctx.call('approvals', (c, o) => {
        const base = { tenant: ctx.tenant, id };
        switch (act.rpc) {
          case 'resubmit':
            return c.resubmit({ ...base, justification: text }, o);
          case 'cancel':
            return c.cancel({ ...base, reason: text }, o);
          case 'approve':
            return c.approve({ ...base, comment: text, ...approveFields(opts) }, o);
          default:
            return c[act.rpc]({ ...base, comment: text }, o);
        }
      });
      if (ctx.json) return ctx.printJson(approvalsv1.GetRequestResponse.toJSON(res));
      if (res.request) ctx.print(renderRequest(res.request));
    });
  }
}
