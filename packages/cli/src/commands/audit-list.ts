import type { Command } from 'commander';
import { auditv1 } from '@assent/proto';
import { UsageError } from '../errors/usage-error.js';
import { positiveInt } from '../options/positive-int.js';
import { rfc3339 } from '../options/time.js';
import { renderTable } from '../output/table.js';
import { iso } from '../output/values.js';
import type { Session } from '../session.js';

interface ListOptions {
  type?: string;
  subject?: string;
  actor?: string;
  action?: string;
  target?: string;
  outcome?: string;
  category?: string;
  since?: Date;
  until?: Date;
  limit?: number;
  pageToken?: string;
}

/** The flags that select QueryRecords (an indexed query) rather than ListRecords (the chain in order). */
const QUERY_FLAGS = ['actor', 'action', 'target', 'outcome', 'category', 'since', 'until'] as const;

const shellWord = (s: string) => (/^[\w.:/@+-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

/** The command line that reads the page a token points to: the same filters, that token. */
function pageCommand(opts: ListOptions, token: string): string {
  const flags = QUERY_FLAGS.flatMap((f) => {
    const v = opts[f];
    return v === undefined || v === '' ? [] : [`--${f}`, shellWord(v instanceof Date ? v.toISOString() : v)];
  });
  return ['assentctl audit list', ...flags, ...(opts.limit ? ['--limit', String(opts.limit)] : []), '--page-token', token].join(' ');
}

export function registerAuditListCommand(audit: Command, session: Session): void {
  audit
    .command('list')
    .description(
      'list audit records. With --actor, --action, --target, --outcome, --category, --since or --until: the records matching all of them ' +
        'in a time window of at most 31 days, oldest first, read from an index, with next and previous page tokens. ' +
        'Otherwise (optionally with --type or --subject) the whole chain in order',
    )
    .option('--actor <id>', 'only records by this actor, e.g. alice or service:approvals')
    .option('--action <action>', 'only this action, e.g. approval.vote, policy.apply, authz.check')
    .option('--target <kind/id>', 'only records about this target, e.g. request/01J...')
    .option('--outcome <outcome>', 'only success or denied')
    .option('--category <category>', 'only approval, access, governance or security')
    .option('--since <time>', 'window start, RFC 3339 (default: --until minus 31 days)', rfc3339)
    .option('--until <time>', 'window end, exclusive, RFC 3339 (default: now)', rfc3339)
    .option('--type <event type>', 'chain order: only this CloudEvents type, e.g. assent.approval.decided.v1')
    .option('--subject <subject>', 'chain order: only this subject, e.g. request/01J...')
    .option('--limit <n>', 'page size (the server caps it at 500)', positiveInt)
    .option('--page-token <token>', 'the page a token printed by an earlier list points to (next or previous)')
    .action(async (opts: ListOptions, command: Command) => {
      const ctx = session.context(command);
      const query = QUERY_FLAGS.some((f) => opts[f] !== undefined);
      if (query && (opts.type || opts.subject)) {
        throw new UsageError('--type and --subject list the chain in order; they do not combine with --actor, --action, --target, --outcome, --category, --since or --until (use --target for a subject)');
      }
      if (!query) {
        const res = await ctx.call('audit', (c, o) =>
          c.listRecords({ tenant: ctx.tenant, eventType: opts.type ?? '', subject: opts.subject ?? '', pageSize: opts.limit ?? 0, pageToken: opts.pageToken ?? '' }, o),
        );
        if (ctx.json) return ctx.printJson(auditv1.ListRecordsResponse.toJSON(res));
        ctx.print(
          res.records.length
            ? renderTable(
                ['SEQ', 'OCCURRED', 'TYPE', 'SUBJECT', 'ACTOR', 'EVENT ID'],
                res.records.map((r) => [r.sequence, iso(r.occurredAt), r.eventType, r.subject, r.actor || '-', r.eventId]),
              )
            : 'no audit records',
        );
        if (res.nextPageToken) ctx.print(`\nmore: --page-token ${res.nextPageToken}`);
        return;
      }
      const res = await ctx.call('audit', (c, o) =>
        c.queryRecords(
          {
            tenant: ctx.tenant,
            actor: opts.actor ?? '',
            action: opts.action ?? '',
            target: opts.target ?? '',
            outcome: opts.outcome ?? '',
            category: opts.category ?? '',
            since: opts.since,
            until: opts.until,
            pageSize: opts.limit ?? 0,
            pageToken: opts.pageToken ?? '',
          },
          o,
        ),
      );
      if (ctx.json) return ctx.printJson(auditv1.QueryRecordsResponse.toJSON(res));
      ctx.print(
        res.records.length
          ? renderTable(
              ['SEQ', 'OCCURRED', 'ACTOR', 'ACTION', 'TARGET', 'OUTCOME', 'CATEGORY', 'REASON'],
              res.records.map((r) => [r.sequence, iso(r.occurredAt), r.actor || '-', r.action || r.eventType, r.targetKind ? `${r.targetKind}/${r.targetId}` : r.subject, r.outcome || '-', r.category || '-', r.reason]),
            )
          : `no audit records match between ${iso(res.since)} and ${iso(res.until)}`,
      );
      if (res.previousPageToken) ctx.print(`\nprevious page: ${pageCommand(opts, res.previousPageToken)}`);
      if (res.nextPageToken) ctx.print(`${res.previousPageToken ? '' : '\n'}next page: ${pageCommand(opts, res.nextPageToken)}`);
    });
}
