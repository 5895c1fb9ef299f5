import { CloudEvent } from 'cloudevents';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { newUlid } from '../ids.js';
import type { Metrics } from '../metrics.js';
import { injectTrace } from './tracing.js';
import { splitEventType, type Names } from './subjects.js';

/** A CloudEvents 1.0 event in JSON structured mode, as Assent publishes it. */
export interface AssentEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  type: string;
  source: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  tenantid: string;
  traceparent?: string;
  data: T;
}

export function newEvent<T>(input: { type: string; service: string; subject: string; tenant: string; data: T; id?: string; time?: Date }): AssentEvent<T> {
  splitEventType(input.type);
  const active = trace.getActiveSpan()?.spanContext();
  // A valid W3C traceparent or none (a no-op span's all-zero ids are invalid).
  const span = active && isSpanContextValid(active) ? active : undefined;
  const event: AssentEvent<T> = {
    specversion: '1.0',
    id: input.id ?? newUlid(),
    type: input.type,
    source: `/assent/${input.service}`,
    subject: input.subject,
    time: (input.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    tenantid: input.tenant,
    ...(span ? { traceparent: `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}` } : {}),
    data: input.data,
  };
  // Validate against the CloudEvents spec (throws on a bad attribute).
  new CloudEvent(event as unknown as ConstructorParameters<typeof CloudEvent>[0], true);
  return event;
}

/** Parses and validates a structured-mode CloudEvent; throws on anything else. */
export function parseEvent(payload: Uint8Array | string): AssentEvent {
  const text = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  const raw = JSON.parse(text) as Record<string, unknown>;
  const ce = new CloudEvent(raw as ConstructorParameters<typeof CloudEvent>[0], true);
  if (typeof raw['tenantid'] !== 'string') throw new Error('event has no tenantid extension');
  if (!ce.subject) throw new Error('event has no subject');
  return raw as unknown as AssentEvent;
}

export function encodeEvent(event: AssentEvent): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(event));
}

/**
 * Publishes events to assent.evt.<tenant>.<domain>.<event>. Nats-Msg-Id is the event
 * id, so a retried publish of the same event is stored once.
 */
export class EventPublisher {
  constructor(private readonly js: JetStreamClient, private readonly n: Names, private readonly metrics?: Metrics) {}

  subjectFor(event: AssentEvent): string {
    const { domain, event: name } = splitEventType(event.type);
    return this.n.event(event.tenantid, domain, name);
  }

  async publish(event: AssentEvent): Promise<{ seq: number; duplicate: boolean }> {
    const h = injectTrace(natsHeaders());
    h.set('ce-type', event.type);
    h.set('ce-id', event.id);
    // Lets consumers order by entity (e.g. request/<id>) without parsing the payload.
    h.set('ce-subject', event.subject);
    const ack = await this.js.publish(this.subjectFor(event), encodeEvent(event), { msgID: event.id, headers: h });
    this.metrics?.eventsPublished.inc({ type: event.type });
    return { seq: ack.seq, duplicate: ack.duplicate };
  }
}
