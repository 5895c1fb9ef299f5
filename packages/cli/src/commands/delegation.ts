import type { Command } from 'commander';
import { approvalsv1 } from '@assent/proto';
import type { Session } from '../session.js';
import { UsageError } from '../errors/usage-error.js';
import { durationSeconds } from '../options/duration.js';
import { rfc3339 } from '../options/time.js';
import { renderDelegation, renderDelegationList } from '../output/delegation-view.js';

interface SetOptions {
  to: string;
  until?: Date;
  for?: number;
  start?: Date;
  user?: string;
  reason: string;
}

/**
 * The SetDelegation fields for `delegation set`: --until, or --for counted from
 * --start (or from now, which is also when the server starts it without --start).
 */
export function setDelegationFields(opts: SetOptions, now: Date): Omit<approvalsv1.SetDelegationRequest, 'tenant'> {
  if ((opts.until === undefined) === (opts.for === undefined)) throw new UsageError('give either --until <time> or --for <duration> (e.g. 7d): when the delegation ends');
  const endsAt = opts.until ?? new Date((opts.start ?? now).getTime() + (opts.for as number) * 1000);
  return { from: opts.user ?? '', to: opts.to, startsAt: opts.start, endsAt, reason: opts.reason };
}

const userOption = (what: string): [flag: string, description: string] => ['--user <user>', `${what}, when it is not you (tenant admins only)`];

export function registerDelegationCommands(program: Command, session: Session): void {
  const delegation = program
    .command('delegation')
    .description('out of office: let someone act on the requests you could approve while you are away (votes record who they acted for)');

  delegation
    .command('set')
    .summary('name someone to act for you (or --user) for a date range of at most 90 days')
    .description(
      'name a delegate for a date range (at most 90 days; ranges of one person may not overlap): meanwhile they may approve, decline … what you could, ' +
        'each vote recorded as made for you, and your pending requests are in their inbox. Delegations do not chain, and nobody approves their own request through one',
    )
    .requiredOption('--to <user>', 'who acts for you: another member of the tenant')
    .option('--until <time>', 'when it ends, RFC 3339, e.g. 2026-12-24T18:00:00Z (this or --for)', rfc3339)
    .option('--for <duration>', 'how long it lasts from its start, e.g. 7d or 36h (this or --until)', durationSeconds)
    .option('--start <time>', 'when it begins, RFC 3339 (default: now)', rfc3339)
    .option(...userOption('the person who is away'))
    .requiredOption('--reason <text>', 'why, e.g. "vacation" (required; audited)')
    .action(async (opts: SetOptions, command: Command) => {
      const ctx = session.context(command);
      const fields = setDelegationFields(opts, new Date());
      const res = await ctx.call('approvals', (c, o) => c.setDelegation({ tenant: ctx.tenant, ...fields }, o));
      if (ctx.json) return ctx.printJson(approvalsv1.SetDelegationResponse.toJSON(res));
      if (res.delegation) ctx.print(renderDelegation(res.delegation, new Date()));
    });

  delegation
    .command('end')
    .description('end a delegation now; one that has not started never begins (ids: delegation list)')
    .argument('<id>', 'delegation id')
    .option(...userOption('whose delegation it is (the person away)'))
    .action(async (id: string, opts: { user?: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('approvals', (c, o) => c.endDelegation({ tenant: ctx.tenant, from: opts.user ?? '', id }, o));
      if (ctx.json) return ctx.printJson(approvalsv1.EndDelegationResponse.toJSON(res));
      if (res.delegation) ctx.print(renderDelegation(res.delegation, new Date()));
    });

  delegation
    .command('list')
    .description('list the delegations you gave (someone acts for you) and received (you act for someone), current and upcoming, by start')
    .option(...userOption("whose delegations to list"))
    .option('--include-ended', 'also list those that are over or were ended (the last 20 per person are kept)')
    .action(async (opts: { user?: string; includeEnded?: boolean }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('approvals', (c, o) => c.listDelegations({ tenant: ctx.tenant, user: opts.user ?? '', includeEnded: opts.includeEnded ?? false }, o));
      if (ctx.json) return ctx.printJson(approvalsv1.ListDelegationsResponse.toJSON(res));
      ctx.print(renderDelegationList(res, opts.user, new Date()));
    });
}
