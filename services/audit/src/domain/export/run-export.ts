import { ConflictError, DomainError } from '@assent/platform/domain';
import { checkpointHead } from '../checkpoint-head.js';
import type { Checkpoint } from '../checkpoint.js';
import { matchesFilters } from '../record-filters.js';
import { ChunkedWriter } from './chunked-writer.js';
import { cloudEventsEncoder } from './cloudevents-encoder.js';
import { csvEncoder } from './csv-encoder.js';
import type { ExportEncoder } from './export-encoder.js';
import type { ExportJob, Versioned } from './export-job.js';
import type { ExportDeps } from './export-ports.js';
import { ndjsonEncoder } from './ndjson-encoder.js';

/** A run that fails this many times is FAILED; fewer, and it goes back to PENDING for another try. */
export const MAX_EXPORT_ATTEMPTS = 3;
export const DEFAULT_CHUNK_BYTES = 64 * 1024;

export interface RunOptions {
  /** File chunk size (one stream message each). */
  chunkBytes?: number;
  /** How often a run records its progress, which is also its heartbeat. */
  heartbeatMs?: number;
  /** Stops the run (shutdown): the job goes back to PENDING for another replica. */
  signal?: AbortSignal;
}

/** The job was taken over by another replica (its compare-and-set won): stop writing. */
export class ExportLostError extends Error {}

function encoderFor(deps: ExportDeps, job: ExportJob): ExportEncoder {
  if (job.format === 'CSV') return csvEncoder();
  if (job.format === 'CLOUDEVENTS_JSON') return cloudEventsEncoder();
  return ndjsonEncoder(job, deps.keys.list());
}

/**
 * Takes a job (PENDING, or RUNNING but silent): a compare-and-set on the revision it
 * was read at, so of the replicas that saw it one wins. Returns undefined when
 * another won. A job that already used up its attempts is marked FAILED instead.
 */
export async function claimExport(deps: ExportDeps, seen: Versioned<ExportJob>): Promise<Versioned<ExportJob> | undefined> {
  const now = deps.clock.now();
  const exhausted = seen.value.attempt >= MAX_EXPORT_ATTEMPTS;
  const value: ExportJob = exhausted
    ? { ...seen.value, state: 'FAILED', error: seen.value.error || `gave up after ${seen.value.attempt} attempts`, updatedAt: now }
    : { ...seen.value, state: 'RUNNING', attempt: seen.value.attempt + 1, heartbeatAt: now, updatedAt: now, recordsScanned: 0, recordsWritten: 0, throughSequence: 0 };
  try {
    const revision = await deps.jobs.update(value, seen.revision);
    return exhausted ? undefined : { value, revision };
  } catch (err) {
    if (err instanceof ConflictError) return undefined;
    throw err;
  }
}

/**
 * Writes a claimed job's file while reading the chain, chunk by chunk: nothing but
 * the current chunk is held. First it signs the tenant's head (so the export ends
 * with a checkpoint) and exports nothing after it. The time window is a contiguous
 * range by recording time: from the first record recorded at or after its start to
 * just before the first recorded at or after its end. Progress is saved every
 * heartbeatMs with a compare-and-set: losing it means another replica took the job
 * over, and this run stops (ExportLostError). Returns the job as it ended.
 */
export async function runExport(deps: ExportDeps, claimed: Versioned<ExportJob>, opts: RunOptions = {}): Promise<ExportJob> {
  let job = claimed.value;
  let revision = claimed.revision;
  const heartbeatMs = opts.heartbeatMs ?? 2_000;
  const save = async (changes: Partial<ExportJob>): Promise<void> => {
    const now = deps.clock.now();
    const next = { ...job, ...changes, updatedAt: now, heartbeatAt: now };
    try {
      revision = await deps.jobs.update(next, revision);
    } catch (err) {
      if (err instanceof ConflictError) throw new ExportLostError(`export ${job.id} was taken over by another replica`);
      throw err;
    }
    job = next;
  };

  try {
    const head = await checkpointHead(deps, job.tenant);
    await save({ throughSequence: head?.checkpoint.sequence ?? 0 });
    const file = { tenant: job.tenant, id: job.id, attempt: job.attempt };
    const writer = new ChunkedWriter(opts.chunkBytes ?? DEFAULT_CHUNK_BYTES, (index, chunk) => deps.files.append(file, index, chunk));
    const encoder = encoderFor(deps, job);
    const { recordedAfter, recordedBefore } = job.filters;
    let [scanned, written, checkpoints, lastSave] = [0, 0, 0, Date.now()];
    let inWindow = !recordedAfter;
    await writer.write(encoder.start());
    const signed = deps.checkpoints.all(job.tenant)[Symbol.asyncIterator]();
    try {
      let next: IteratorResult<Checkpoint> = await signed.next();
      for await (const record of deps.log.all(job.tenant)) {
        if (record.sequence > job.throughSequence) break;
        if (opts.signal?.aborted) throw opts.signal.reason;
        scanned++;
        if (recordedBefore && record.recordedAt >= recordedBefore) break;
        inWindow ||= recordedAfter !== undefined && record.recordedAt >= recordedAfter;
        if (inWindow && matchesFilters(record, job.filters)) {
          await writer.write(encoder.record(record));
          written++;
          while (!next.done && next.value.sequence < record.sequence) next = await signed.next();
          if (!next.done && next.value.sequence === record.sequence) {
            const text = encoder.checkpoint(next.value);
            if (text) {
              await writer.write(text);
              checkpoints++;
            }
          }
        }
        if (Date.now() - lastSave >= heartbeatMs) {
          await save({ recordsScanned: scanned, recordsWritten: written });
          lastSave = Date.now();
        }
      }
    } finally {
      await signed.return?.();
    }
    await writer.write(encoder.end({ records: written, checkpoints }));
    const sha256 = await writer.end();
    await save({ state: 'SUCCEEDED', recordsScanned: scanned, recordsWritten: written, sizeBytes: writer.size, chunks: writer.chunks, sha256, error: '' });
  } catch (err) {
    if (err instanceof ExportLostError) throw err;
    // A stopped replica hands the job back at once; a failure retries until attempts run out.
    const stopped = opts.signal?.aborted === true;
    const error = err instanceof DomainError ? err.message : stopped ? '' : 'the export failed (see the audit service log)';
    const state = stopped || job.attempt < MAX_EXPORT_ATTEMPTS ? 'PENDING' : 'FAILED';
    await save({ state, error, ...(stopped ? { attempt: job.attempt - 1 } : {}) });
    if (!stopped) throw err;
  }
  return job;
}
