import { EXPORT_TYPE, exportLine, keyLine, type ExportHeader } from '@assent/platform/domain';
import type { Checkpoint } from '../checkpoint.js';
import type { PublicSigningKey } from '../key-ring.js';
import type { AuditRecord } from '../types.js';
import type { ExportEncoder } from './export-encoder.js';
import { isContiguous, type ExportJob } from './export-job.js';

/**
 * The verifiable format (@assent/platform audit/export-format.ts): a header, the
 * public keys, every record as stored, each checkpoint after the record it covers,
 * an end line. `assentctl audit verify --file` checks it offline.
 */
export function ndjsonEncoder(job: ExportJob, keys: readonly PublicSigningKey[]): ExportEncoder {
  const f = job.filters;
  const header: ExportHeader = {
    kind: 'header',
    type: EXPORT_TYPE,
    tenant: job.tenant,
    exportId: job.id,
    createdAt: job.createdAt.toISOString(),
    contiguous: isContiguous(f),
    filters: {
      ...(f.eventType ? { eventType: f.eventType } : {}),
      ...(f.subject ? { subject: f.subject } : {}),
      ...(f.recordedAfter ? { recordedAfter: f.recordedAfter.toISOString() } : {}),
      ...(f.recordedBefore ? { recordedBefore: f.recordedBefore.toISOString() } : {}),
    },
    throughSequence: job.throughSequence,
  };
  return {
    start: () => [header, ...keys.map(keyLine)].map(exportLine).join(''),
    record: (record: AuditRecord) => exportLine({ kind: 'record', record }),
    checkpoint: (checkpoint: Checkpoint) => exportLine({ kind: 'checkpoint', checkpoint }),
    end: ({ records, checkpoints }) => exportLine({ kind: 'end', records, checkpoints }),
  };
}
