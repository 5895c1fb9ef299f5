import type { CheckpointDeps } from '../ports.js';
import type { ExportJob, Versioned } from './export-job.js';

/**
 * Export jobs by id. Backed by a JetStream KV bucket (adapters/jetstream) or memory
 * (adapters/memory); one contract suite covers both. Every write is a
 * compare-and-set on the revision the writer read, so one replica runs a job.
 */
export interface ExportJobs {
  /** Stores a new job; returns its revision. */
  create(job: ExportJob): Promise<number>;
  get(id: string): Promise<Versioned<ExportJob> | undefined>;
  /** The tenant's jobs, newest first. */
  list(tenant: string): Promise<ExportJob[]>;
  /** Replaces the job if it is still at `revision`; returns the new revision. ConflictError otherwise. */
  update(job: ExportJob, revision: number): Promise<number>;
  /** Jobs a worker may take: PENDING ones, and RUNNING ones whose heartbeat is older than `staleBefore`; oldest first. */
  claimable(staleBefore: Date): Promise<Versioned<ExportJob>[]>;
}

/** Where a run's file is: the job and the attempt that wrote it. */
export interface ExportFileRef {
  tenant: string;
  id: string;
  attempt: number;
}

/** The files export runs write, chunk by chunk, and downloads read back in order. */
export interface ExportFiles {
  /** Appends chunk number `index` (0-based, in order) of the file. */
  append(file: ExportFileRef, index: number, chunk: Uint8Array): Promise<void>;
  /** The file's chunks in order (streamed). */
  read(file: ExportFileRef): AsyncIterable<Uint8Array>;
}

/** What export jobs need: the chain and its checkpoints (a run signs the head first), jobs, files. */
export interface ExportDeps extends CheckpointDeps {
  jobs: ExportJobs;
  files: ExportFiles;
  /** A new, unique, sortable job id. */
  newId: () => string;
}
