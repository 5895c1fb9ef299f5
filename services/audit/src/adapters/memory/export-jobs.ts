import { AlreadyExistsError, ConflictError } from '@assent/platform/domain';
import type { ExportJob, Versioned } from '../../domain/export/export-job.js';
import type { ExportJobs } from '../../domain/export/export-ports.js';

const copy = (j: ExportJob): ExportJob => structuredClone(j);

/** In-memory twin of the KV-backed export jobs; revisions are one counter, like a bucket's. */
export class MemoryExportJobs implements ExportJobs {
  private readonly jobs = new Map<string, Versioned<ExportJob>>();
  private revision = 0;

  async create(job: ExportJob): Promise<number> {
    if (this.jobs.has(job.id)) throw new AlreadyExistsError(`export "${job.id}" already exists`);
    this.jobs.set(job.id, { value: copy(job), revision: ++this.revision });
    return this.revision;
  }

  async get(id: string): Promise<Versioned<ExportJob> | undefined> {
    const found = this.jobs.get(id);
    return found && { value: copy(found.value), revision: found.revision };
  }

  async list(tenant: string): Promise<ExportJob[]> {
    return [...this.jobs.values()]
      .map((j) => j.value)
      .filter((j) => j.tenant === tenant)
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .map(copy);
  }

  async update(job: ExportJob, revision: number): Promise<number> {
    const found = this.jobs.get(job.id);
    if (found?.revision !== revision) throw new ConflictError(`export "${job.id}" is at revision ${found?.revision ?? 0}, not ${revision}`);
    this.jobs.set(job.id, { value: copy(job), revision: ++this.revision });
    return this.revision;
  }

  async claimable(staleBefore: Date): Promise<Versioned<ExportJob>[]> {
    return [...this.jobs.values()]
      .filter(({ value: j }) => j.state === 'PENDING' || (j.state === 'RUNNING' && (j.heartbeatAt ?? j.updatedAt) < staleBefore))
      .sort((a, b) => (a.value.id < b.value.id ? -1 : 1))
      .map((j) => ({ value: copy(j.value), revision: j.revision }));
  }
}
