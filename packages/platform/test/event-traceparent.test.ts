import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALID_SPAN_CONTEXT, ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { newEvent, startTelemetry, tracingEnabled } from '@assent/platform';

const make = () => newEvent({ type: 'assent.widget.created.v1', service: 'test', subject: 'widget/1', tenant: 'acme', data: {} });
const inSpan = () =>
  trace.getTracer('test').startActiveSpan('op', (span) => {
    const e = make();
    span.end();
    return e;
  });

describe('event traceparent', () => {
  it('with tracing off (no exporter): none, not even inside a span (never the all-zero ids)', async () => {
    const off = startTelemetry('event-traceparent-test', undefined);
    expect(tracingEnabled()).toBe(false);
    expect(make().traceparent).toBeUndefined();
    expect(inSpan().traceparent).toBeUndefined();
    await off.shutdown();
  });

  describe('with tracing on', () => {
    let telemetry: ReturnType<typeof startTelemetry> | undefined;
    beforeAll(() => {
      telemetry = startTelemetry('event-traceparent-test', undefined, [new SimpleSpanProcessor(new InMemorySpanExporter())]);
    });
    afterAll(() => telemetry?.shutdown());

    it('is absent outside a trace and under a no-op span', () => {
      expect(tracingEnabled()).toBe(true);
      expect(make().traceparent).toBeUndefined();
      const invalid = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
      expect(context.with(invalid, make).traceparent).toBeUndefined();
    });

    it('is a valid W3C traceparent inside a span', () => {
      expect(inSpan().traceparent).toMatch(/^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-0[01]$/);
    });
  });
});
