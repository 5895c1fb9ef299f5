import { ConflictError, Violations } from '@assent/platform/domain';
import { canonicalFieldsOf } from '../canonical-fields.js';
import type { AuditDeps } from '../ports.js';
import { recordHash } from '../record-hash.js';
import { RECORD_FORMAT, type AuditRecord, type SourceEvent } from '../types.js';

/** Bounded so a pathological hot tenant surfaces as a retryable error, not a spin. */
const MAX_ATTEMPTS = 25;

function validate(event: SourceEvent, v: Violations, at: string): void {
  v.check(`${at}tenant`, event.tenant, 'tenant');
  if (!event.id) v.add(`${at}id`, 'is required');
  else if (event.id.length > 256) v.add(`${at}id`, 'must be at most 256 characters');
  if (!event.type) v.add(`${at}type`, 'is required');
  if (!event.source) v.add(`${at}source`, 'is required');
  if (!event.subject) v.add(`${at}subject`, 'is required');
  if (event.time && Number.isNaN(event.time.getTime())) v.add(`${at}time`, 'must be an RFC 3339 timestamp');
}

/**
 * Appends events of ONE tenant to its chain, in the given order, each exactly once,
 * with one append for the whole batch: records are hashed in memory from the head
 * and written together. The head is read before the duplicate check, so anything
 * appended before that read is seen as known, and anything appended after it fails
 * the compare-and-set (then the batch is rebuilt on the new head), so two writers
 * can never both record an event. Each record is in the current format, with the
 * canonical fields of record-mappings.ts; an event type without a mapping fails the
 * whole batch with UnmappedEventError before anything is written. Returns the
 * records written (duplicates left out).
 */
export async function recordEvents(deps: AuditDeps, events: SourceEvent[]): Promise<AuditRecord[]> {
  if (events.length === 0) return [];
  const tenant = events[0]?.tenant ?? '';
  const v = new Violations();
  events.forEach((e, i) => validate(e, v, events.length > 1 ? `events[${i}].` : ''));
  if (events.some((e) => e.tenant !== tenant)) v.add('tenant', 'a batch holds one tenant');
  v.throwIfAny();
  // Every event of the batch must map before any is written: nothing is recorded half-mapped.
  const mapped = events.map((event) => ({ event, fields: canonicalFieldsOf(event) }));

  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const head = await deps.log.head(tenant);
    const known = await deps.log.knownEvents(
      tenant,
      events.map((e) => e.id),
    );
    const records: AuditRecord[] = [];
    let prev = head;
    const recordedAt = deps.clock.now();
    for (const { event, fields } of mapped) {
      if (known.has(event.id)) continue;
      known.add(event.id); // the same event twice in one batch is recorded once
      const unsealed = {
        tenant,
        sequence: (prev?.sequence ?? 0) + 1,
        eventId: event.id,
        eventType: event.type,
        subject: event.subject,
        actor: fields.actor.id,
        occurredAt: event.time ?? recordedAt,
        recordedAt,
        data: event.data,
        prevHash: prev?.hash ?? '',
        format: RECORD_FORMAT,
        canonical: fields,
      };
      // The payload hash the canonical fields just took from this event's data: not computed twice.
      const record: AuditRecord = { ...unsealed, hash: recordHash(unsealed, { payloadHash: fields.payloadHash }) };
      records.push(record);
      prev = record;
    }
    if (records.length === 0) return [];
    try {
      const { duplicate } = await deps.log.append(records, head?.sequence ?? 0);
      return duplicate ? [] : records;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      // Another writer extended the chain: re-read the head and rebuild the batch.
    }
  }
  throw new ConflictError(`audit chain of tenant "${tenant}" is contended; ${events.length} event(s) not recorded yet`);
}

