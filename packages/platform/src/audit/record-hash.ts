import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';

/**
 * What a record's hash covers: every field of an audit record except `hash`. Moved
 * here from services/audit so the service and `assentctl audit verify` (offline,
 * over an export) hash records with the same code; change the record format here.
 */
export interface HashedRecord {
  tenant: string;
  sequence: number;
  eventId: string;
  eventType: string;
  subject: string;
  actor: string;
  occurredAt: Date;
  recordedAt: Date;
  data: unknown;
  prevHash: string;
}

/**
 * The hash that seals a record: sha256 hex of prevHash followed by the canonical
 * JSON of every field except `hash` (timestamps as RFC 3339 UTC with milliseconds).
 * Because prevHash is inside too, changing any earlier record breaks every later link.
 */
export function recordHash(record: HashedRecord): string {
  const content = canonicalJson({
    tenant: record.tenant,
    sequence: record.sequence,
    eventId: record.eventId,
    eventType: record.eventType,
    subject: record.subject,
    actor: record.actor,
    occurredAt: record.occurredAt.toISOString(),
    recordedAt: record.recordedAt.toISOString(),
    data: record.data,
    prevHash: record.prevHash,
  });
  return createHash('sha256').update(record.prevHash).update(content).digest('hex');
}
