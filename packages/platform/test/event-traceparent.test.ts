import { afterAll, describe, expect, it } from 'vitest';
import { INVALID_SPAN_CONTEXT, ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { newEvent, startTelemetry } from '@assent/platform';

const make = () => newEvent({ type: 'assent.widget.created.v1', service: 'test', subject: 'widget/1', tenant: 'acme', data: {} });
// No exporter: spans are not recorded, but ids are made and propagated.
const telemetry = startTelemetry('event-traceparent-test', undefined);
afterAll(() => telemetry.shutdown());

describe('event traceparent', () => {
  it('is absent outside a trace and under a no-op span (never the all-zero ids)', () => {
    expect(make().traceparent).toBeUndefined();
    const invalid = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
    expect(context.with(invalid, make).traceparent).toBeUndefined();
  });

  it('is a valid W3C traceparent inside a span, even one that is not recorded', () => {
    const event = trace.getTracer('test').startActiveSpan('op', (span) => {
      expect(span.isRecording()).toBe(false);
      const e = make();
      span.end();
      return e;
    });
    expect(event.traceparent).toMatch(/^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-0[01]$/);
  });
});
