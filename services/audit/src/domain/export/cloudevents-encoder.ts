import type { AuditRecord } from '../types.js';
import type { ExportEncoder } from './export-encoder.js';

export const AUDIT_RECORD_EVENT_TYPE = 'assent.audit.record.v1';

/**
 * A CloudEvents 1.0 JSON batch (a JSON array, written as it goes): one event per
 * record, `id` "<tenant>:<sequence>" (unique per source), `time` when it was
 * recorded, extension `tenantid`, and the record as stored as `data`.
 */
export function cloudEventsEncoder(): ExportEncoder {
  let first = true;
  return {
    start: () => '[',
    record(record: AuditRecord) {
      const event = {
        specversion: '1.0',
        id: `${record.tenant}:${record.sequence}`,
        source: '/assent/audit',
        type: AUDIT_RECORD_EVENT_TYPE,
        subject: record.subject,
        time: record.recordedAt.toISOString(),
        datacontenttype: 'application/json',
        tenantid: record.tenant,
        data: record,
      };
      const text = `${first ? '' : ','}\n${JSON.stringify(event)}`;
      first = false;
      return text;
    },
    checkpoint: () => '',
    end: () => `${first ? '' : '\n'}]\n`,
  };
}
