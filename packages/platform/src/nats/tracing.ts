import { context, propagation, trace, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';

const tracer = trace.getTracer('assent-nats');

/** Writes the active trace context (W3C traceparent/tracestate) into NATS headers. */
export function injectTrace(h: MsgHdrs = natsHeaders()): MsgHdrs {
  propagation.inject(context.active(), h, { set: (carrier, key, value) => carrier.set(key, value) });
  return h;
}

/** Runs fn inside a consumer span whose parent is the trace carried in the headers. */
export async function withConsumeSpan<T>(name: string, h: MsgHdrs | undefined, attrs: Record<string, string | number>, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent = h
    ? propagation.extract(context.active(), h, {
        get: (carrier, key) => carrier.get(key) || undefined,
        keys: (carrier) => carrier.keys(),
      })
    : context.active();
  return tracer.startActiveSpan(name, { kind: SpanKind.CONSUMER, attributes: attrs }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
