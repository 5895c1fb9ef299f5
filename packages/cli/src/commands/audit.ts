import type { Command } from 'commander';
import { auditv1 } from '@assent/proto';
import type { Session } from '../session.js';
import { positiveInt } from '../options/positive-int.js';
import { renderFields, renderTable } from '../output/table.js';
import { iso } from '../output/values.js';

export function registerAuditCommands(program: Command, session: Session): void {
  const audit = program.command('audit').description("read and verify the tenant's hash-chained audit log");

  audit
    .command('list')
    .description('list audit records, oldest first')
    .option('--type <event type>', 'only this CloudEvents type, e.g. assent.approval.decided.v1')
    .option('--subject <subject>', 'only this subject, e.g. request/01J...')
    .option('--limit <n>', 'page size (the server caps it at 500)', positiveInt)
    .option('--page-token <token>', 'continue from a previous page')
    .action(async (opts: { type?: string; subject?: string; limit?: number; pageToken?: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('audit', (c, o) =>
        c.listRecords(
          { tenant: ctx.tenant, eventType: opts.type ?? '', subject: opts.subject ?? '', pageSize: opts.limit ?? 0, pageToken: opts.pageToken ?? '' },
          o,
        ),
      );
      if (ctx.json) return ctx.printJson(auditv1.ListRecordsResponse.toJSON(res));
      ctx.print(res.records.length
        ? renderTable(
            ['SEQ', 'OCCURRED', 'TYPE', 'SUBJECT', 'ACTOR', 'EVENT ID'],
            res.records.map((r) => [r.sequence, iso(r.occurredAt), r.eventType, r.subject, r.actor || '-', r.eventId]),
          )
        : 'no audit records');
      if (res.nextPageToken) ctx.print(`\nmore: --page-token ${res.nextPageToken}`);
    });

  audit
    .command('verify')
    .description('recompute the hash chain; exits 1 when a record does not match')
    .action(async (_opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('audit', (c, o) => c.verifyChain({ tenant: ctx.tenant }, o));
      if (!res.valid) ctx.exitCode = 1;
      if (ctx.json) return ctx.printJson(auditv1.VerifyChainResponse.toJSON(res));
      ctx.print(renderFields([
        ['valid', res.valid ? 'yes' : 'NO'],
        ['records', res.records],
        ['head hash', res.headHash],
        ['first invalid', res.valid ? '' : `sequence ${res.firstInvalidSequence}`],
      ]));
      if (!res.valid) ctx.note(`error: the audit chain of tenant ${ctx.tenant} is broken at sequence ${res.firstInvalidSequence}`);
    });
}
