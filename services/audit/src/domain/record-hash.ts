import { createHash } from 'node:crypto';
import { canonicalJson } from '@assent/platform/domain';
import type { AuditRecord } from './types.js';

/**
 * The hash that seals a record: sha256 hex of prevHash followed by the canonical
 * JSON of every field except `hash` (timestamps as RFC 3339 UTC with milliseconds).
 * Because prevHash is inside too, changing any earlier record breaks every later link.
 */
export function recordHash(record: Omit<AuditRecord, 'hash'>): string {
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
