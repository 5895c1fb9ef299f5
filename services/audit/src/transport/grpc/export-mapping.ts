import { auditv1 } from '@assent/proto';
import { isContiguous, progressOf, type ExportFormat, type ExportJob } from '../../domain/export/export-job.js';

const formats: Record<ExportFormat, auditv1.ExportFormat> = {
  NDJSON: auditv1.ExportFormat.EXPORT_FORMAT_NDJSON,
  CSV: auditv1.ExportFormat.EXPORT_FORMAT_CSV,
  CLOUDEVENTS_JSON: auditv1.ExportFormat.EXPORT_FORMAT_CLOUDEVENTS_JSON,
};

const states = {
  PENDING: auditv1.ExportState.EXPORT_STATE_PENDING,
  RUNNING: auditv1.ExportState.EXPORT_STATE_RUNNING,
  SUCCEEDED: auditv1.ExportState.EXPORT_STATE_SUCCEEDED,
  FAILED: auditv1.ExportState.EXPORT_STATE_FAILED,
} as const;

/** undefined for UNSPECIFIED or an unknown value: createExport names the field. */
export const fromProtoFormat = (f: auditv1.ExportFormat): ExportFormat | undefined =>
  (Object.entries(formats) as [ExportFormat, auditv1.ExportFormat][]).find(([, v]) => v === f)?.[0];

export const toProtoExportJob = (j: ExportJob): auditv1.ExportJob => ({
  exportId: j.id,
  tenant: j.tenant,
  format: formats[j.format],
  state: states[j.state],
  eventType: j.filters.eventType ?? '',
  subject: j.filters.subject ?? '',
  recordedAfter: j.filters.recordedAfter,
  recordedBefore: j.filters.recordedBefore,
  contiguous: isContiguous(j.filters),
  throughSequence: String(j.throughSequence),
  recordsScanned: String(j.recordsScanned),
  recordsWritten: String(j.recordsWritten),
  progress: progressOf(j),
  sizeBytes: String(j.sizeBytes),
  sha256: j.sha256,
  error: j.error,
  createdBy: j.createdBy,
  createTime: j.createdAt,
  updateTime: j.updatedAt,
  attempt: j.attempt,
});
