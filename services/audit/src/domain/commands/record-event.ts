import { ConflictError, Violations } from '@assent/platform/domain';
import { actorOf } from '../actor-of.js';
import type { AuditDeps } from '../ports.js';
import { recordHash } from '../record-hash.js';
import type { AuditRecord, SourceEvent } from '../types.js';

export type RecordOutcome = { duplicate: false; record: AuditRecord } | { duplicate: true };

/** Bounded so a pathological hot tenant surfaces as a retryable error, not a spin. */
const MAX_ATTEMPTS = 25;

/**
 * Appends the event to its tenant's chain exactly once. The head is read before
 * the duplicate check: anything appended before that read is seen by hasEvent,
 * and anything appended after it fails our compare-and-set, so two replicas
 * handling the same event (a redelivery) can never both record it.
 */
export async function recordEvent(deps: AuditDeps, event: SourceEvent): Promise<RecordOutcome> {
  const v = new Violations().check('tenant', event.tenant, 'tenant');
  if (!event.id) v.add('id', 'is required');
  else if (event.id.length > 256) v.add('id', 'must be at most 256 characters');
  if (!event.type) v.add('type', 'is required');
  if (!event.source) v.add('source', 'is required');
  if (!event.subject) v.add('subject', 'is required');
  if (event.time && Number.isNaN(event.time.getTime())) v.add('time', 'must be an RFC 3339 timestamp');
  v.throwIfAny();

  const actor = actorOf(event);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const head = await deps.log.head(event.tenant);
    if (await deps.log.hasEvent(event.tenant, event.id)) return { duplicate: true };
    const recordedAt = deps.clock.now();
    const unsealed = {
      tenant: event.tenant,
      sequence: (head?.sequence ?? 0) + 1,
      eventId: event.id,
      eventType: event.type,
      subject: event.subject,
      actor,
      occurredAt: event.time ?? recordedAt,
      recordedAt,
      data: event.data,
      prevHash: head?.hash ?? '',
    };
    const record: AuditRecord = { ...unsealed, hash: recordHash(unsealed) };
    try {
      const { duplicate } = await deps.log.append(record, head?.sequence ?? 0);
      return duplicate ? { duplicate: true } : { duplicate: false, record };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      // Another writer extended the chain: re-read the head and try again.
    }
  }
  throw new ConflictError(`audit chain of tenant "${event.tenant}" is contended; event ${event.id} not recorded yet`);
}
