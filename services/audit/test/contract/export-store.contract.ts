import { describe, expect, it } from 'vitest';
import { ConflictError } from '@assent/platform/domain';
import { pendingExportJob, type ExportJob } from '../../src/domain/export/export-job.js';
import type { ExportFiles, ExportJobs } from '../../src/domain/export/export-ports.js';
import { readAll } from '../support/export-deps.js';

let n = 0;
/** A PENDING job of `tenant`, ids increasing in creation order. */
export function pendingJob(tenant: string, over: Partial<ExportJob> = {}): ExportJob {
  const at = new Date(Date.UTC(2030, 0, 1, 0, 0, ++n));
  return {
    ...pendingExportJob(
      {
        id: `01JEXPORTCONTRACT${Date.now().toString(36).toUpperCase()}${String(n).padStart(4, '0')}`,
        tenant,
        format: 'NDJSON',
        filters: { eventType: 'assent.approval.decided.v1', recordedAfter: new Date('2030-01-01T00:00:00.000Z') },
        createdBy: 'carol',
      },
      at,
    ),
    ...over,
  };
}

/** One contract for the export job store and file store: the JetStream adapters and their in-memory twins. */
export function exportStoreContract(name: string, make: () => Promise<{ jobs: ExportJobs; files: ExportFiles }>, tenantOf: () => string): void {
  describe(`export stores contract: ${name}`, () => {
    it('stores a job and reads it back as written, with its revision', async () => {
      const { jobs } = await make();
      const job = pendingJob(tenantOf());
      const revision = await jobs.create(job);
      expect(await jobs.get(job.id)).toEqual({ value: job, revision });
      expect(await jobs.get('01JNOSUCHEXPORT')).toBeUndefined();
      await expect(jobs.create(job)).rejects.toThrow();
    });

    it('updates only at the revision read (compare-and-set)', async () => {
      const { jobs } = await make();
      const job = pendingJob(tenantOf());
      const r1 = await jobs.create(job);
      const running = { ...job, state: 'RUNNING' as const, attempt: 1, heartbeatAt: new Date('2030-01-02T00:00:00.000Z') };
      const r2 = await jobs.update(running, r1);
      expect(r2).toBeGreaterThan(r1);
      await expect(jobs.update({ ...job, state: 'FAILED' }, r1)).rejects.toBeInstanceOf(ConflictError);
      expect(await jobs.get(job.id)).toEqual({ value: running, revision: r2 });
    });

    it('lists a tenant’s jobs newest first, and offers pending and silent running jobs to workers', async () => {
      const { jobs } = await make();
      const tenant = tenantOf();
      const older = pendingJob(tenant);
      const newer = pendingJob(tenant, { state: 'RUNNING', attempt: 1, heartbeatAt: new Date('2030-01-02T00:00:00.000Z') });
      const done = pendingJob(tenant, { state: 'SUCCEEDED' });
      const other = pendingJob(tenantOf());
      for (const j of [older, newer, done, other]) await jobs.create(j);
      expect((await jobs.list(tenant)).map((j) => j.id)).toEqual([done.id, newer.id, older.id]);
      const ids = async (staleBefore: string) => (await jobs.claimable(new Date(staleBefore))).map((j) => j.value.id).filter((id) => [older.id, newer.id, done.id].includes(id));
      expect(await ids('2030-01-02T00:00:00.000Z')).toEqual([older.id]);
      expect(await ids('2030-01-02T00:00:00.001Z')).toEqual([older.id, newer.id]);
    });

    it('keeps a file per run, chunks in order', async () => {
      const { files } = await make();
      const file = { tenant: tenantOf(), id: pendingJob('x').id, attempt: 1 };
      const text = Array.from({ length: 5 }, (_, i) => `chunk ${i} `.repeat(100));
      for (const [i, t] of text.entries()) await files.append(file, i, Buffer.from(t));
      await files.append({ ...file, attempt: 2 }, 0, Buffer.from('another run'));
      expect(await readAll(files.read(file))).toBe(text.join(''));
      expect(await readAll(files.read({ ...file, attempt: 2 }))).toBe('another run');
      expect(await readAll(files.read({ ...file, attempt: 3 }))).toBe('');
    });
  });
}
