import type { AuditRecord, RecordFilters } from './types.js';

/** Exact-match filters of ListRecords; an unset filter matches everything. */
export function matchesFilters(record: AuditRecord, filters: RecordFilters): boolean {
  return (!filters.eventType || record.eventType === filters.eventType) && (!filters.subject || record.subject === filters.subject);
}
