import { Writable } from 'node:stream';
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { approvalsv1 } from '@assent/proto';
import type { Session } from '../session.js';
import type { CliContext } from '../cli-context.js';
import { UsageError } from '../errors/usage-error.js';
import { positiveInt } from '../options/positive-int.js';
import { renderTable } from '../output/table.js';
import { iso } from '../output/values.js';

const tabs = {
  pending: approvalsv1.InboxTab.INBOX_TAB_PENDING,
  snoozed: approvalsv1.InboxTab.INBOX_TAB_SNOOZED,
  done: approvalsv1.InboxTab.INBOX_TAB_DONE,
} as const;

export const snoozePresets = {
  '1h': approvalsv1.SnoozePreset.SNOOZE_PRESET_ONE_HOUR,
  '4h': approvalsv1.SnoozePreset.SNOOZE_PRESET_FOUR_HOURS,
  tomorrow: approvalsv1.SnoozePreset.SNOOZE_PRESET_TOMORROW,
  'next-week': approvalsv1.SnoozePreset.SNOOZE_PRESET_NEXT_WEEK,
} as const;

/** --for <preset> or --until <time>, exactly one, as the Snooze/BulkAct fields. */
export function snoozeTarget(opts: { for?: keyof typeof snoozePresets; until?: string }): { preset: approvalsv1.SnoozePreset; until: Date | undefined } {
  if ((opts.for === undefined) === (opts.until === undefined)) throw new UsageError('give either --for <1h|4h|tomorrow|next-week> or --until <time>');
  if (opts.for) return { preset: snoozePresets[opts.for], until: undefined };
  const until = new Date(opts.until as string);
  if (Number.isNaN(until.getTime())) throw new UsageError(`--until "${opts.until}" is not a time; use RFC 3339, e.g. 2026-12-01T09:00:00Z`);
  return { preset: approvalsv1.SnoozePreset.SNOOZE_PRESET_UNSPECIFIED, until };
}

export const forOption = () => new Option('--for <preset>', 'snooze for a preset (tomorrow and next-week: 09:00 UTC)').choices(Object.keys(snoozePresets));

const BULK_CHUNK = 100;

export function registerInboxCommands(program: Command, session: Session): void {
  const inbox = program.command('inbox').description('your approval inbox: what waits for you, what you snoozed, what you did; act on many at once');

  inbox
    .command('list', { isDefault: true })
    .description('list a tab of your inbox (pending: due first)')
    .addOption(new Option('--tab <tab>', 'which tab').choices(Object.keys(tabs)).default('pending'))
    .option('--action <action>', 'only this action')
    .option('--requester <user>', 'only requests by this user')
    .option('--overdue', 'only requests past their due time')
    .option('--limit <n>', 'page size (the server caps it at 100)', positiveInt)
    .option('--page-token <token>', 'continue from a previous page')
    .action(async (opts: { tab: keyof typeof tabs; action?: string; requester?: string; overdue?: boolean; limit?: number; pageToken?: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('approvals', (c, o) =>
        c.listInbox(
          { tenant: ctx.tenant, tab: tabs[opts.tab], action: opts.action ?? '', requester: opts.requester ?? '', overdueOnly: opts.overdue ?? false, pageSize: opts.limit ?? 0, pageToken: opts.pageToken ?? '' },
          o,
        ),
      );
      if (ctx.json) return ctx.printJson(approvalsv1.ListInboxResponse.toJSON(res));
      if (!res.items.length) ctx.print(`nothing ${opts.tab === 'done' ? 'done yet' : opts.tab}`);
      else {
        const last = opts.tab === 'snoozed' ? 'BACK AT' : opts.tab === 'done' ? 'ACTED AT' : 'AWAITING';
        ctx.print(
          renderTable(
            ['ID', 'ACTION', 'RESOURCE', 'REQUESTER', 'DUE', last],
            res.items.map((i) => {
              const r = i.request;
              const dueAt = r?.timers?.dueAt;
              const due = dueAt ? `${iso(dueAt)}${r?.timers?.overdue ? ' (overdue)' : ''}` : '-';
              const tail = opts.tab === 'snoozed' ? iso(i.snoozedUntil) : opts.tab === 'done' ? iso(i.actedAt) : (r?.awaiting ?? []).join(', ');
              return [r?.id ?? '', r?.action ?? '', r?.resource ?? '', r?.requester ?? '', due, tail];
            }),
          ),
        );
      }
      if (res.nextPageToken) ctx.print(`\nmore: --page-token ${res.nextPageToken}`);
    });

  const bulk = (verb: 'approve' | 'decline' | 'snooze') =>
    inbox
      .command(verb)
      .description(`${verb} many requests at once; each succeeds or is refused on its own, with a result per request`)
      .argument('<ids...>', 'request ids')
      .action(async (ids: string[], opts: { reason?: string; for?: keyof typeof snoozePresets; until?: string }, command: Command) => {
        const ctx = session.context(command);
        const base =
          verb === 'snooze'
            ? { action: approvalsv1.BulkActionKind.BULK_ACTION_KIND_SNOOZE, reason: '', ...snoozeTarget(opts) }
            : { action: verb === 'approve' ? approvalsv1.BulkActionKind.BULK_ACTION_KIND_APPROVE : approvalsv1.BulkActionKind.BULK_ACTION_KIND_DECLINE, reason: opts.reason ?? '', preset: approvalsv1.SnoozePreset.SNOOZE_PRESET_UNSPECIFIED, until: undefined };
        const results = await inChunks(ctx, ids, (chunk) => ctx.call('approvals', (c, o) => c.bulkAct({ tenant: ctx.tenant, ids: chunk, ...base }, o)).then((r) => r.results));
        if (ctx.json) return ctx.printJson({ results: results.map((r) => approvalsv1.BulkItemResult.toJSON(r)) });
        ctx.print(renderTable(['ID', 'RESULT', 'DETAIL'], results.map((r) => [r.id, r.ok ? 'ok' : r.code, r.ok ? `state ${approvalsv1.requestStateToJSON(r.request?.state ?? 0).replace('REQUEST_STATE_', '').toLowerCase()}` : r.message])));
        const refused = results.filter((r) => !r.ok).length;
        ctx.note(`${results.length - refused} of ${results.length} done${refused ? `, ${refused} refused` : ''}`);
      });
  bulk('approve').requiredOption('--reason <text>', 'why you approve (required; the same for every request)');
  bulk('decline').requiredOption('--reason <text>', 'why you decline (required)');
  bulk('snooze').addOption(forOption()).option('--until <time>', 'snooze until this time (RFC 3339)');
}

/** Sends the ids 100 per call, with a progress bar on stderr when there is more than one call. */
async function inChunks(ctx: CliContext, ids: string[], send: (chunk: string[]) => Promise<approvalsv1.BulkItemResult[]>): Promise<approvalsv1.BulkItemResult[]> {
  const out: approvalsv1.BulkItemResult[] = [];
  // Progress goes to stderr through the CLI's own io (stdout stays the results).
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = chunk.toString().trim();
      if (line) ctx.note(line);
      done();
    },
  });
  const bar = ids.length > BULK_CHUNK ? new cliProgress.SingleBar({ format: 'bulk |{bar}| {value}/{total} requests', stream, noTTYOutput: true, notTTYSchedule: 1_000 }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(ids.length, 0);
  for (let i = 0; i < ids.length; i += BULK_CHUNK) {
    out.push(...(await send(ids.slice(i, i + BULK_CHUNK))));
    bar?.update(out.length);
  }
  bar?.stop();
  return out;
}
