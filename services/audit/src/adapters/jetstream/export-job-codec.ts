import type { ExportFormat, ExportJob, ExportState } from '../../domain/export/export-job.js';

interface ExportJobJson {
  id: string;
  tenant: string;
  format: ExportFormat;
  filters: { eventType?: string; subject?: string; recordedAfter?: string; recordedBefore?: string };
  state: ExportState;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  attempt: number;
  heartbeatAt?: string;
  throughSequence: number;
  recordsScanned: number;
  recordsWritten: number;
  sizeBytes: number;
  chunks: number;
  sha256: string;
  error: string;
}

const iso = (d: Date | undefined): string | undefined => d?.toISOString();
const date = (s: string | undefined): Date | undefined => (s === undefined ? undefined : new Date(s));

export function encodeExportJob(j: ExportJob): string {
  const body: ExportJobJson = {
    ...j,
    filters: { eventType: j.filters.eventType, subject: j.filters.subject, recordedAfter: iso(j.filters.recordedAfter), recordedBefore: iso(j.filters.recordedBefore) },
    createdAt: j.createdAt.toISOString(),
    updatedAt: j.updatedAt.toISOString(),
    heartbeatAt: iso(j.heartbeatAt),
  } as ExportJobJson;
  return JSON.stringify(body);
}

export function decodeExportJob(text: string): ExportJob {
  const b = JSON.parse(text) as ExportJobJson;
  return {
    ...b,
    filters: { eventType: b.filters.eventType, subject: b.filters.subject, recordedAfter: date(b.filters.recordedAfter), recordedBefore: date(b.filters.recordedBefore) },
    createdAt: new Date(b.createdAt),
    updatedAt: new Date(b.updatedAt),
    heartbeatAt: date(b.heartbeatAt),
  };
}
