import { canonicalJson } from '@assent/platform/domain';
import type { AuditRecord } from '../types.js';
import type { ExportEncoder } from './export-encoder.js';

const COLUMNS = ['sequence', 'recorded_at', 'occurred_at', 'event_type', 'subject', 'actor', 'event_id', 'data', 'prev_hash', 'hash', 'other'] as const;
const KNOWN = new Set(['tenant', 'sequence', 'recordedAt', 'occurredAt', 'eventType', 'subject', 'actor', 'eventId', 'data', 'prevHash', 'hash']);

/** RFC 4180: quoted when it holds a comma, quote or line break; quotes doubled. */
const field = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const row = (values: readonly string[]): string => `${values.map(field).join(',')}\r\n`;

/**
 * One row per record for spreadsheets and SIEM imports. `data` is canonical JSON; any
 * record field this encoder does not name (fields a newer record format adds) goes
 * into `other` as canonical JSON, so nothing stored is left out.
 */
export function csvEncoder(): ExportEncoder {
  return {
    start: () => row(COLUMNS),
    record(r: AuditRecord) {
      const other = Object.fromEntries(Object.entries(r).filter(([k, v]) => !KNOWN.has(k) && v !== undefined));
      return row([
        String(r.sequence),
        r.recordedAt.toISOString(),
        r.occurredAt.toISOString(),
        r.eventType,
        r.subject,
        r.actor,
        r.eventId,
        canonicalJson(r.data),
        r.prevHash,
        r.hash,
        Object.keys(other).length ? canonicalJson(other) : '',
      ]);
    },
    checkpoint: () => '',
    end: () => '',
  };
}
