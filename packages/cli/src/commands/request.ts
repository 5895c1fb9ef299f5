import { Option, type Command } from 'commander';
import { approvalsv1 } from '@assent/proto';
import type { Session } from '../session.js';
import { positiveInt } from '../options/positive-int.js';
import { renderRequest, renderRequestList } from '../output/request-view.js';

const states = {
  pending: approvalsv1.RequestState.REQUEST_STATE_PENDING,
  approved: approvalsv1.RequestState.REQUEST_STATE_APPROVED,
  declined: approvalsv1.RequestState.REQUEST_STATE_DECLINED,
} as const;

export function registerRequestCommands(program: Command, session: Session): void {
  const request = program.command('request').description('open, inspect and decide approval requests');

  request
    .command('create')
    .description('ask to perform a protected action; opens an approval request unless it is already allowed')
    .requiredOption('--action <action>', 'protected action, e.g. payouts.change_details')
    .requiredOption('--resource <resource>', 'resource the action targets, e.g. payout-account/42')
    .option('--justification <text>', 'why you need it (some policies require one)')
    .option('--idempotency-key <key>', 'retrying with the same key returns the same request')
    .action(async (opts: { action: string; resource: string; justification?: string; idempotencyKey?: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('approvals', (c, o) =>
        c.createRequest(
          { tenant: ctx.tenant, action: opts.action, resource: opts.resource, justification: opts.justification ?? '', idempotencyKey: opts.idempotencyKey ?? '' },
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

  for (const verb of ['approve', 'decline'] as const) {
    request
      .command(verb)
      .description(verb === 'approve' ? 'approve a request as the caller; it is approved once quorum is met' : 'decline a request')
      .argument('<id>', 'request id')
      .option('--comment <text>', 'note shown to the requester and in the audit log')
      .action(async (id: string, opts: { comment?: string }, command: Command) => {
        const ctx = session.context(command);
        const req = { tenant: ctx.tenant, id, comment: opts.comment ?? '' };
        if (verb === 'approve') {
          const res = await ctx.call('approvals', (c, o) => c.approve(req, o));
          if (ctx.json) return ctx.printJson(approvalsv1.ApproveResponse.toJSON(res));
          if (res.request) ctx.print(renderRequest(res.request));
        } else {
          const res = await ctx.call('approvals', (c, o) => c.decline(req, o));
          if (ctx.json) return ctx.printJson(approvalsv1.DeclineResponse.toJSON(res));
          if (res.request) ctx.print(renderRequest(res.request));
        }
      });
  }
}
