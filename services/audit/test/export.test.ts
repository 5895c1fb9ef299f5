import { ExportVerifier, InvalidArgumentError, NotFoundError, PermissionDeniedError, FailedPreconditionError } from '@assent/platform/domain';
import { describe, expect, it } from 'vitest';
import { createExport, type CreateExportInput } from '../src/domain/commands/create-export.js';
import { downloadExport } from '../src/domain/commands/download-export.js';
import { getExport } from '../src/domain/commands/get-export.js';
import { listExports } from '../src/domain/commands/list-exports.js';
import { progressOf } from '../src/domain/export/export-job.js';
import { ExportLostError, claimExport, runExport } from '../src/domain/export/run-export.js';
import { checkpointHead } from '../src/domain/checkpoint-head.js';
import { appendRecords, memoryExportDeps, readAll } from './support/export-deps.js';

const auditor = { subject: 'carol', kind: 'user' as const, tenant: 'acme', roles: ['auditor'] };
const input = (over: Partial<CreateExportInput> = {}): CreateExportInput => ({
  tenant: 'acme',
  format: 'NDJSON',
  eventType: '',
  subject: '',
  recordedAfter: undefined,
  recordedBefore: undefined,
  ...over,
});

async function exported(deps: ReturnType<typeof memoryExportDeps>, over: Partial<CreateExportInput> = {}, chunkBytes = 4096) {
  const job = await createExport(deps, auditor, input(over));
  const [seen] = await deps.jobs.claimable(deps.clock.now());
  const claimed = await claimExport(deps, seen!);
  const done = await runExport(deps, claimed!, { chunkBytes, heartbeatMs: 0 });
  const { chunks } = await downloadExport(deps, auditor, { tenant: 'acme', exportId: job.id });
  return { job: done, text: await readAll(chunks) };
}

function verify(text: string, keys: ReturnType<typeof memoryExportDeps>['keys']) {
  const v = new ExportVerifier(keys.list());
  for (const line of text.replace(/\n$/, '').split('\n')) v.next(line);
  return v.result();
}

describe('export jobs', () => {
  it('writes a verifiable NDJSON export in several chunks, ending with a checkpoint it signs first', async () => {
    const deps = memoryExportDeps();
    await appendRecords(deps.log, 'acme', 150);
    await checkpointHead(deps, 'acme'); // an earlier checkpoint, in the middle of what is exported
    await appendRecords(deps.log, 'acme', 150);
    const { job, text } = await exported(deps);
    expect(job).toMatchObject({ state: 'SUCCEEDED', throughSequence: 300, recordsScanned: 300, recordsWritten: 300, attempt: 1 });
    expect(job.chunks).toBeGreaterThan(10);
    expect(job.sizeBytes).toBe(Buffer.byteLength(text));
    expect(progressOf(job)).toBe(1);
    const result = verify(text, deps.keys);
    expect(result).toMatchObject({ valid: true, records: 300, checkpoints: 2, firstSequence: 1, lastSequence: 300, signedThrough: 300, unsignedRecords: 0, contiguous: true });
  });

  it('exports a time window as a contiguous range that still verifies', async () => {
    const deps = memoryExportDeps();
    await appendRecords(deps.log, 'acme', 100); // recorded one minute apart from 2030-01-01T00:00
    const { job, text } = await exported(deps, { recordedAfter: new Date('2030-01-01T00:10:00Z'), recordedBefore: new Date('2030-01-01T00:20:00Z') });
    expect(job.recordsWritten).toBe(10);
    const result = verify(text, deps.keys);
    expect(result).toMatchObject({ valid: true, records: 10, firstSequence: 11, lastSequence: 20, contiguous: true, signedThrough: 0, unsignedRecords: 10 });
  });

  it('exports a filtered subset that verifies record by record, not as a chain', async () => {
    const deps = memoryExportDeps();
    await appendRecords(deps.log, 'acme', 40);
    const { job, text } = await exported(deps, { eventType: 'assent.approval.decided.v1' });
    expect(job.recordsWritten).toBe(20);
    const result = verify(text, deps.keys);
    // The head (record 40, a decided one) is covered by the checkpoint the run signed.
    expect(result).toMatchObject({ valid: true, records: 20, contiguous: false, checkpoints: 1, signedThrough: 40 });
  });

  it('still catches edited and moved records in a filtered export, but not a removed one', async () => {
    const deps = memoryExportDeps();
    await appendRecords(deps.log, 'acme', 40);
    const lines = (await exported(deps, { eventType: 'assent.approval.decided.v1' })).text.trimEnd().split('\n');
    // 1 header, 2 key, 3.. records 2, 4, 6, ...
    const check = (l: string[]) => {
      const v = new ExportVerifier(deps.keys.list());
      for (const line of l) v.next(line);
      return v.result();
    };
    expect(check(lines.map((l, i) => (i === 4 ? l.replace('"actor":"alice"', '"actor":"mallory"') : l)))).toMatchObject({ valid: false, firstBadLine: 5 });
    expect(check([...lines.slice(0, 3), lines[4]!, lines[3]!, ...lines.slice(5)])).toMatchObject({ valid: false, firstBadLine: 5, problem: expect.stringContaining('inserted or moved') });
    // Removing a record of a filtered export leaves no gap anyone could see, except in the end line's count.
    expect(check(lines.filter((_, i) => i !== 5))).toMatchObject({ valid: false, problem: expect.stringContaining('the end line counts 20 records') });
  });

  it('writes CSV rows (RFC 4180 quoting) and a CloudEvents JSON batch', async () => {
    const deps = memoryExportDeps();
    await appendRecords(deps.log, 'acme', 5);
    const csv = (await exported(deps, { format: 'CSV' })).text;
    expect(csv.split('\r\n')[0]).toBe('sequence,recorded_at,occurred_at,event_type,subject,actor,event_id,data,prev_hash,hash,other');
    expect(csv).toContain('"{""request"":{""id"":""1"",""note"":""a \\""quoted\\"", comma\\nline 1""}}"');
    expect(csv.trimEnd().split('\r\n')).toHaveLength(6);
    const events = JSON.parse((await exported(deps, { format: 'CLOUDEVENTS_JSON' })).text) as { type: string; id: string; tenantid: string; data: { sequence: number } }[];
    expect(events).toHaveLength(5);
    expect(events[2]).toMatchObject({ type: 'assent.audit.record.v1', id: 'acme:3', tenantid: 'acme', data: { sequence: 3 } });
  });

  it('exports an empty chain as an empty, valid file', async () => {
    const deps = memoryExportDeps();
    const { job, text } = await exported(deps);
    expect(job).toMatchObject({ state: 'SUCCEEDED', recordsWritten: 0, throughSequence: 0 });
    expect(verify(text, deps.keys)).toMatchObject({ valid: true, records: 0 });
  });

  it('refuses bad input naming the field, and another tenant’s export', async () => {
    const deps = memoryExportDeps();
    await expect(createExport(deps, auditor, input({ format: undefined }))).rejects.toSatisfy((e) => e instanceof InvalidArgumentError && e.violations[0]?.field === 'format');
    await expect(createExport(deps, auditor, input({ recordedAfter: new Date('2030-02-01'), recordedBefore: new Date('2030-01-01') }))).rejects.toSatisfy(
      (e) => e instanceof InvalidArgumentError && e.violations[0]?.field === 'recorded_before',
    );
    await expect(createExport(deps, { ...auditor, roles: [] }, input())).rejects.toBeInstanceOf(PermissionDeniedError);
    const job = await createExport(deps, auditor, input());
    const globex = { subject: 'gus', kind: 'user' as const, tenant: 'globex', roles: ['admin'] };
    await expect(getExport(deps, globex, { tenant: 'globex', exportId: job.id })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(getExport(deps, globex, { tenant: 'acme', exportId: job.id })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(downloadExport(deps, globex, { tenant: 'globex', exportId: job.id })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(getExport(deps, auditor, { tenant: 'acme', exportId: 'nope' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(getExport(deps, auditor, { tenant: 'acme', exportId: '' })).rejects.toSatisfy((e) => e instanceof InvalidArgumentError && e.violations[0]?.field === 'export_id');
    await expect(downloadExport(deps, auditor, { tenant: 'acme', exportId: job.id })).rejects.toBeInstanceOf(FailedPreconditionError);
    expect((await listExports(deps, globex, { tenant: 'globex' })).map((j) => j.id)).toEqual([]);
    expect((await listExports(deps, auditor, { tenant: 'acme' })).map((j) => j.id)).toEqual([job.id]);
  });

  it('gives a job to one claimer, and a silent RUNNING job to another replica, which restarts it', async () => {
    const deps = memoryExportDeps();
    await appendRecords(deps.log, 'acme', 50);
    await createExport(deps, auditor, input());
    const [seen] = await deps.jobs.claimable(deps.clock.now());
    const first = await claimExport(deps, seen!);
    expect(first?.value).toMatchObject({ state: 'RUNNING', attempt: 1 });
    expect(await claimExport(deps, seen!)).toBeUndefined(); // same revision: the second claimer loses
    // Nothing claimable until the first run's heartbeat is stale.
    expect(await deps.jobs.claimable(new Date(first!.value.heartbeatAt!.getTime() - 1))).toEqual([]);
    const [stale] = await deps.jobs.claimable(new Date(first!.value.heartbeatAt!.getTime() + 1));
    const second = await claimExport(deps, stale!);
    expect(second?.value.attempt).toBe(2);
    // The first run wakes up and finds the job taken: it stops without writing its end.
    await expect(runExport(deps, first!, { chunkBytes: 1024, heartbeatMs: 0 })).rejects.toBeInstanceOf(ExportLostError);
    const done = await runExport(deps, second!, { chunkBytes: 1024, heartbeatMs: 0 });
    expect(done).toMatchObject({ state: 'SUCCEEDED', attempt: 2, recordsWritten: 50 });
    const { chunks } = await downloadExport(deps, auditor, { tenant: 'acme', exportId: done.id });
    expect(verify(await readAll(chunks), deps.keys)).toMatchObject({ valid: true, records: 50 });
  });

  it('hands a stopped run back as PENDING without using up an attempt', async () => {
    const deps = memoryExportDeps();
    await appendRecords(deps.log, 'acme', 20);
    await createExport(deps, auditor, input());
    const [seen] = await deps.jobs.claimable(deps.clock.now());
    const claimed = await claimExport(deps, seen!);
    const stop = new AbortController();
    stop.abort(new Error('stopping'));
    const job = await runExport(deps, claimed!, { signal: stop.signal, heartbeatMs: 0 });
    expect(job).toMatchObject({ state: 'PENDING', attempt: 0 });
  });
});
