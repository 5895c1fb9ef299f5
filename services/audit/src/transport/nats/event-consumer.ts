import type { JsMsg } from '@nats-io/jetstream';
import {
  InvalidArgumentError,
  PoisonMessageError,
  parseEvent,
  redisDeduper,
  startConsumer,
  type Logger,
  type Metrics,
  type Nats,
  type Names,
  type Redis,
  type RunningConsumer,
} from '@assent/platform';
import { recordEvent } from '../../domain/commands/record-event.js';
import type { AuditDeps } from '../../domain/ports.js';
import type { JsonValue, SourceEvent } from '../../domain/types.js';

export const AUDIT_CONSUMER = 'audit';

/** Tenant token of <root>.evt.<tenant>.<domain>.<event> (roots contain no dots). */
function tenantOfSubject(subject: string): string {
  return subject.split('.')[2] ?? '';
}

/** CloudEvent on the wire → domain SourceEvent; anything unusable is poison (parked, not retried). */
export function toSourceEvent(msg: Pick<JsMsg, 'data' | 'subject'>): SourceEvent {
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
  };
}

/**
 * Durable consumer `audit` over every domain event: each becomes a record in its
 * tenant's chain. One message at a time, so a tenant's chain follows the order of
 * the event stream; redeliveries are skipped by the Redis deduper first and by
 * recordEvent's own event-id check after that.
 */
export function startEventConsumer(opts: { nats: Nats; names: Names; logger: Logger; metrics?: Metrics; redis: Redis; deps: AuditDeps }): Promise<RunningConsumer> {
  return startConsumer({
    nats: opts.nats,
    names: opts.names,
    logger: opts.logger,
    metrics: opts.metrics,
    stream: opts.names.eventsStream,
    durable: AUDIT_CONSUMER,
    filterSubject: opts.names.allEvents(),
    concurrency: 1,
    // An audit record must not be given up on over an outage of NATS or Redis: retry
    // for hours (backoff caps at a minute). Poison messages are still parked at once.
    // Event ids are unique per producer, not across tenants: scope them.
    idOf: (m) => `${tenantOfSubject(m.subject)}:${m.headers?.get('Nats-Msg-Id') || `${m.info.stream}:${m.seq}`}`,
    dedupe: redisDeduper(opts.redis, AUDIT_CONSUMER),
    handle: async (msg) => {
      try {
        await recordEvent(opts.deps, toSourceEvent(msg));
      } catch (err) {
        if (err instanceof InvalidArgumentError) throw new PoisonMessageError(`event cannot be audited: ${err.message}`, { cause: err });
        throw err;
      }
    },
  });
}
