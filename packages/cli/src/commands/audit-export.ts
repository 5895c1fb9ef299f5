import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import { auditv1 } from '@assent/proto';
import type { CliContext } from '../cli-context.js';
import type { Session } from '../session.js';
import { rfc3339 } from '../options/time.js';
import { progressBar } from '../output/progress-bar.js';
import { renderFields, renderTable } from '../output/table.js';
import { enumLabel, iso } from '../output/values.js';

const formats: Record<string, auditv1.ExportFormat> = {
  ndjson: auditv1.ExportFormat.EXPORT_FORMAT_NDJSON,
  csv: auditv1.ExportFormat.EXPORT_FORMAT_CSV,
  cloudevents: auditv1.ExportFormat.EXPORT_FORMAT_CLOUDEVENTS_JSON,
};

const stateOf = (j: auditv1.ExportJob) => enumLabel(auditv1.exportStateToJSON(j.state), 'EXPORT_STATE_');
const formatOf = (j: auditv1.ExportJob) => enumLabel(auditv1.exportFormatToJSON(j.format), 'EXPORT_FORMAT_');
const done = (j: auditv1.ExportJob) => j.state === auditv1.ExportState.EXPORT_STATE_SUCCEEDED || j.state === auditv1.ExportState.EXPORT_STATE_FAILED;

function printJob(ctx: CliContext, job: auditv1.ExportJob | undefined): void {
  if (!job) return;
  if (ctx.json) return ctx.printJson(auditv1.ExportJob.toJSON(job));
  ctx.print(
    renderFields([
      ['export id', job.exportId],
      ['state', stateOf(job)],
      ['format', formatOf(job)],
      ['progress', `${Math.round(job.progress * 100)}% (${job.recordsScanned} of ${job.throughSequence} records read, ${job.recordsWritten} written)`],
      ['filters', [job.eventType && `type ${job.eventType}`, job.subject && `subject ${job.subject}`, job.recordedAfter && `from ${iso(job.recordedAfter)}`, job.recordedBefore && `before ${iso(job.recordedBefore)}`].filter(Boolean).join(', ') || 'none'],
      ['contiguous', job.contiguous ? 'yes (verifiable as a chain)' : 'no (filtered: records verify one by one)'],
      ['size', job.sizeBytes !== '0' ? `${job.sizeBytes} bytes` : ''],
      ['sha256', job.sha256],
      ['error', job.error],
      ['created', `${iso(job.createTime)} by ${job.createdBy}`],
      ['attempt', String(job.attempt)],
    ]),
  );
}

/** Polls GetExport (twice a second) with a progress bar until the job succeeds or fails. */
async function waitFor(ctx: CliContext, exportId: string): Promise<auditv1.ExportJob> {
  const bar = progressBar(ctx, 'export |{bar}| {percentage}% | {records} records');
  bar.start(100, 0, { records: 0 });
  try {
    for (;;) {
      const { job } = await ctx.call('audit', (c, o) => c.getExport({ tenant: ctx.tenant, exportId }, o));
      if (!job) throw new Error(`GetExport returned no job for ${exportId}`);
      bar.update(Math.round(job.progress * 100), { records: job.recordsWritten });
      if (done(job)) return job;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    bar.stop();
  }
}

/**
 * Streams the file to `out` (chunks as they arrive, never the whole file in memory)
 * and checks its sha256 against the job's; a mismatch removes the file.
 */
async function download(ctx: CliContext, exportId: string, out: string): Promise<auditv1.ExportJob> {
  const { job } = await ctx.call('audit', (c, o) => c.getExport({ tenant: ctx.tenant, exportId }, o));
  if (!job) throw new Error(`GetExport returned no job for ${exportId}`);
  const path = resolve(ctx.cwd, out);
  const digest = createHash('sha256');
  const bar = progressBar(ctx, 'download |{bar}| {percentage}% of {total} bytes');
  bar.start(Number(job.sizeBytes), 0);
  let received = 0;
  try {
    // No call deadline: a large file takes as long as it takes; GetExport above proved the address.
    await ctx.call('audit', async (c) => {
      const chunks = c.downloadExport({ tenant: ctx.tenant, exportId });
      await pipeline(async function* () {
        for await (const { data } of chunks) {
          digest.update(data);
          received += data.length;
          bar.update(received);
          yield data;
        }
      }, createWriteStream(path));
    });
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  } finally {
    bar.stop();
  }
  const sha256 = digest.digest('hex');
  if (sha256 !== job.sha256) {
    await rm(path, { force: true });
    throw new Error(`the download of ${exportId} has sha256 ${sha256}, the export ${job.sha256}: removed ${out}; download again`);
  }
  ctx.note(`wrote ${out} (${received} bytes, sha256 ${sha256})`);
  return job;
}

export function registerAuditExportCommands(audit: Command, session: Session): void {
  const exp = audit.command('export').description('export the audit log as a file (NDJSON that `audit verify --file` checks offline, CSV, CloudEvents JSON)');

  exp
    .command('create')
    .description('start an export job (tenant admins and auditors); prints its id, or with --wait/--out follows it to the end')
    .addOption(new Option('--format <format>', 'file format').choices(Object.keys(formats)).default('ndjson'))
    .option('--type <event type>', 'only this CloudEvents type (a filtered export verifies record by record, not as a chain)')
    .option('--subject <subject>', 'only this subject (filtered, as --type)')
    .option('--after <time>', 'from the first record recorded at or after this RFC 3339 time', rfc3339)
    .option('--before <time>', 'up to the first record recorded at or after this RFC 3339 time', rfc3339)
    .option('--wait', 'wait for the job to finish, with a progress bar')
    .option('--out <file>', 'wait, then download the file here (implies --wait)')
    .action(async (opts: { format: string; type?: string; subject?: string; after?: Date; before?: Date; wait?: boolean; out?: string }, command: Command) => {
      const ctx = session.context(command);
      const { job } = await ctx.call('audit', (c, o) =>
        c.createExport(
          { tenant: ctx.tenant, format: formats[opts.format] ?? auditv1.ExportFormat.EXPORT_FORMAT_UNSPECIFIED, eventType: opts.type ?? '', subject: opts.subject ?? '', recordedAfter: opts.after, recordedBefore: opts.before },
          o,
        ),
      );
      if (!job) throw new Error('CreateExport returned no job');
      if (!opts.wait && !opts.out) {
        printJob(ctx, job);
        if (!ctx.json) ctx.note(`follow it: assentctl audit export status ${job.exportId}; then: assentctl audit export download ${job.exportId} --out <file>`);
        return;
      }
      const finished = await waitFor(ctx, job.exportId);
      if (finished.state === auditv1.ExportState.EXPORT_STATE_FAILED) {
        ctx.exitCode = 1;
        printJob(ctx, finished);
        return ctx.note(`error: export ${finished.exportId} failed: ${finished.error}`);
      }
      printJob(ctx, opts.out ? await download(ctx, finished.exportId, opts.out) : finished);
    });

  exp
    .command('status')
    .description("an export job's state and progress")
    .argument('<export-id>')
    .action(async (exportId: string, _opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const { job } = await ctx.call('audit', (c, o) => c.getExport({ tenant: ctx.tenant, exportId }, o));
      printJob(ctx, job);
    });

  exp
    .command('list')
    .description("the tenant's export jobs, newest first (they expire after seven days)")
    .action(async (_opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('audit', (c, o) => c.listExports({ tenant: ctx.tenant }, o));
      if (ctx.json) return ctx.printJson(auditv1.ListExportsResponse.toJSON(res));
      ctx.print(
        res.jobs.length
          ? renderTable(
              ['EXPORT ID', 'STATE', 'FORMAT', 'PROGRESS', 'RECORDS', 'BYTES', 'CREATED'],
              res.jobs.map((j) => [j.exportId, stateOf(j), formatOf(j), `${Math.round(j.progress * 100)}%`, j.recordsWritten, j.sizeBytes, iso(j.createTime)]),
            )
          : 'no exports',
      );
    });

  exp
    .command('download')
    .description("stream a finished export's file to disk and check its sha256")
    .argument('<export-id>')
    .requiredOption('--out <file>', 'where to write the file')
    .action(async (exportId: string, opts: { out: string }, command: Command) => {
      const ctx = session.context(command);
      const job = await download(ctx, exportId, opts.out);
      if (ctx.json) ctx.printJson(auditv1.ExportJob.toJSON(job));
    });
}
