import { actorOfId } from './actor-of.js';
import { canonicalFieldsOf, isMapped } from './canonical-fields.js';
import type { AuditRecord, CanonicalFields } from './types.js';

/**
 * The canonical fields of any record, for reading and querying: a format-2 record's
 * own (sealed by its hash), or, for a format-1 record, what the mapping table derives
 * from its event type and data today, with the actor it was recorded with. Derived
 * fields are not covered by the old record's hash. Undefined for a format-1 record
 * of a type the table does not map.
 */
export function canonicalView(record: AuditRecord): CanonicalFields | undefined {
  if (record.canonical) return record.canonical;
  if (!isMapped(record.eventType)) return undefined;
  const derived = canonicalFieldsOf({
    id: record.eventId,
    type: record.eventType,
    source: record.actor,
    subject: record.subject,
    tenant: record.tenant,
    time: record.occurredAt,
    data: record.data,
  });
  return derived.actor.id === record.actor ? derived : { ...derived, actor: actorOfId(record.actor) };
}
