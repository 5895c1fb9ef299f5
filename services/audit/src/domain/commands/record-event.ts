import type { AuditDeps } from '../ports.js';
import type { AuditRecord, SourceEvent } from '../types.js';
import { recordEvents } from './record-events.js';

export type RecordOutcome = { duplicate: false; record: AuditRecord } | { duplicate: true };

/** Appends one event to its tenant's chain exactly once (recordEvents with a batch of one). */
export async function recordEvent(deps: AuditDeps, event: SourceEvent): Promise<RecordOutcome> {
  const [record] = await recordEvents(deps, [event]);
  return record ? { duplicate: false, record } : { duplicate: true };
}
