export type ExportFormat = 'NDJSON' | 'CSV' | 'CLOUDEVENTS_JSON';
export const exportFormats: readonly ExportFormat[] = ['NDJSON', 'CSV', 'CLOUDEVENTS_JSON'];

export type ExportState = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface ExportFilters {
  eventType?: string | undefined;
  subject?: string | undefined;
  /** From the first record recorded at or after this time. */
  recordedAfter?: Date | undefined;
  /** Up to, not including, the first record recorded at or after this time. */
  recordedBefore?: Date | undefined;
}

/**
 * An export job and, once SUCCEEDED, its file. The job is an object with an id a
 * caller polls; `attempt` names the file a run writes, so the chunks of a run a
 * stopped replica left behind are never mixed into the next run's file.
 */
export interface ExportJob {
  id: string;
  tenant: string;
  format: ExportFormat;
  filters: ExportFilters;
  state: ExportState;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  /** Runs started (0 while PENDING for the first time). */
  attempt: number;
  /** Last sign of life of the replica running it; a RUNNING job silent for long is taken over. */
  heartbeatAt: Date | undefined;
  /** The head signed when the run started: the export holds nothing after it. */
  throughSequence: number;
  recordsScanned: number;
  recordsWritten: number;
  sizeBytes: number;
  chunks: number;
  sha256: string;
  error: string;
}

/** A job as CreateExport makes it: PENDING, nothing run or written yet. */
export function pendingExportJob(job: Pick<ExportJob, 'id' | 'tenant' | 'format' | 'filters' | 'createdBy'>, now: Date): ExportJob {
  return {
    ...job,
    state: 'PENDING',
    createdAt: now,
    updatedAt: now,
    attempt: 0,
    heartbeatAt: undefined,
    throughSequence: 0,
    recordsScanned: 0,
    recordsWritten: 0,
    sizeBytes: 0,
    chunks: 0,
    sha256: '',
    error: '',
  };
}

/** A value with the store revision it was read at: the compare-and-set token for its next write. */
export interface Versioned<T> {
  value: T;
  revision: number;
}

/** No event type or subject filter: the records form a contiguous range of the chain. */
export const isContiguous = (f: ExportFilters): boolean => !f.eventType && !f.subject;

/** 0 to 1: records read of those the run will read (1 once SUCCEEDED). */
export function progressOf(job: ExportJob): number {
  if (job.state === 'SUCCEEDED') return 1;
  if (job.throughSequence <= 0) return 0;
  return Math.min(1, job.recordsScanned / job.throughSequence);
}
