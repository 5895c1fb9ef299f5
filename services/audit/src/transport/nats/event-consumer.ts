import type { JsMsg } from '@nats-io/jetstream';
import { eventConsumerNames, InvalidArgumentError, type Logger, type Metrics, type Names, type Nats, parseEvent, PoisonMessageError, type RunningConsumer, startConsumer } from '@assent/platform';
import { recordEvents } from '../../domain/commands/record-events.js';
import { UnmappedEventError } from '../../domain/unmapped-event-error.js';
import type { AuditDeps } from '../../domain/ports.js';
import type { JsonValue, SourceEvent } from '../../domain/types.js';

export const AUDIT_CONSUMER = eventConsumerNames.audit;

/**
 * Events appended as one message at most. A query page fetches each matching
 * record's message whole (a direct get), so message size is what a scattered page
 * costs: at 1,000,000 records, a page of one actor's records took p95 52 ms with
 * 256-record messages and 15 ms with 64 (`make bench BENCH_ARGS="--mode audit-query
 * --block 64"`), for a few more appends per busy tenant on ingest.
 */
export const RECORDS_PER_APPEND = 64;

/** Tenant token of <root>.evt.<tenant>.<domain>.<event> (roots contain no dots). */
function tenantOfSubject(subject: string): string {
  return subject.split('.')[2] ?? '';
}

/** CloudEvent on the wire → domain SourceEvent; anything unusable is poison (parked, not retried). */
export function toSourceEvent(msg: Pick<JsMsg, 'data' | 'subject'> & { headers?: JsMsg['headers'] }): SourceEvent {
  let raw;
  try {
    raw = parseEvent(msg.data);
  } catch (err) {
    throw new PoisonMessageError(`not an Assent CloudEvent: ${(err as Error).message}`, { cause: err });
  }
  // A producer may only write into the chain of the tenant it published under.
  if (raw.tenantid !== tenantOfSubject(msg.subject)) {
    throw new PoisonMessageError(`event tenantid "${raw.tenantid}" does not match subject ${msg.subject}`);
  }
  return {
    id: raw.id,
    type: raw.type,
    source: raw.source,
    subject: raw.subject,
    tenant: raw.tenantid,
    time: raw.time ? new Date(raw.time) : undefined,
    data: (raw.data ?? null) as JsonValue,
    // The event's own traceparent, else the one its publish carried in the NATS headers.
    traceparent: raw.traceparent || msg.headers?.get('traceparent') || undefined,
  };
}

/**
 * Durable consumer `audit` over every domain event: each becomes a record in its
 * tenant's chain, in event-stream order. One lane per tenant (keyed by the subject's
 * tenant token) and one active replica (exclusive), so a tenant's chain follows the
 * stream even across replicas and redeliveries, while tenants run in parallel. A lane
 * takes the events queued for its tenant (up to RECORDS_PER_APPEND) and appends them
 * as one block: one index lookup, one publish and one index update per batch instead
 * of per event.
 * recordEvents skips events the chain already holds, so no Redis deduper is needed.
 */
export function startEventConsumer(opts: { nats: Nats; names: Names; logger: Logger; metrics?: Metrics; deps: AuditDeps }): Promise<RunningConsumer> {
  return startConsumer({
    nats: opts.nats,
    names: opts.names,
    logger: opts.logger,
    metrics: opts.metrics,
    stream: opts.names.eventsStream,
    durable: AUDIT_CONSUMER,
    filterSubject: opts.names.allEvents(),
    keyOf: (m) => tenantOfSubject(m.subject),
    exclusive: true,
    concurrency: 32,
    maxBatch: RECORDS_PER_APPEND,
    maxAckPending: 8_192,
    handleBatch: async (msgs) => {
      try {
        await recordEvents(opts.deps, msgs.map(toSourceEvent));
      } catch (err) {
        // Reported, not only parked: a producer publishes a type the audit table does not know
        // yet. Once per event: a poisoned batch is retried one message at a time, and a
        // single message is what gets parked.
        if (err instanceof UnmappedEventError && msgs.length === 1) {
          opts.logger.error({ eventType: err.eventType, subject: msgs[0]?.subject }, 'audit: event type has no audit mapping; parking it in the DLQ (add it to record-mappings.ts, then replay)');
          opts.metrics?.messagesConsumed.inc({ consumer: AUDIT_CONSUMER, outcome: 'unmapped' });
        }
        if (err instanceof InvalidArgumentError) throw new PoisonMessageError(`event cannot be audited: ${err.message}`, { cause: err });
        throw err;
      }
    },
  });
}
