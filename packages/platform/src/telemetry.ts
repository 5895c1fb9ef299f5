import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

let sdk: NodeSDK | undefined;

/**
 * True once tracing is on in this process: startTelemetry was given an OTLP
 * endpoint or a span processor. gRPC clients and servers made after that trace
 * every call (nice-grpc-opentelemetry middleware); made before, or with tracing
 * off, they carry no trace context at all.
 */
export function tracingEnabled(): boolean {
  return sdk !== undefined;
}

/**
 * Starts tracing once per process when there is somewhere to send spans: over
 * OTLP/HTTP when `otlpEndpoint` is set (normally from OTEL_EXPORTER_OTLP_ENDPOINT),
 * or to the given processors (tests). Every span is then recorded, trace ids are on
 * log lines, and trace context propagates over gRPC and NATS (gRPC spans from
 * nice-grpc-opentelemetry middleware, NATS spans from nats/tracing.ts: both
 * explicit, so they work under ESM without loader hooks).
 *
 * Without either, tracing is off: no tracer provider and no context manager are
 * registered, so spans are no-ops, events and log lines carry no trace ids (never
 * the all-zero ones, which W3C defines as invalid), and no call pays for
 * AsyncLocalStorage context (a promise hook on every promise in Node 20) or span
 * bookkeeping: that was 15–20 % of a cached authz Check's CPU (docs/benchmarks.md).
 */
export function startTelemetry(
  serviceName: string,
  otlpEndpoint: string | undefined,
  /** Extra processors, e.g. an in-memory exporter in tests. */
  spanProcessors: SpanProcessor[] = [],
): { shutdown(): Promise<void> } {
  const processors = [
    ...(otlpEndpoint ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/$/, '')}/v1/traces` }))] : []),
    ...spanProcessors,
  ];
  if (!sdk && processors.length) {
    sdk = new NodeSDK({
      serviceName,
      spanProcessors: processors,
      instrumentations: [],
      // Traces only. Metrics are Prometheus (/metrics) and logs are pino; without these
      // NodeSDK would start OTLP metric and log exporters from its env defaults, which
      // post to localhost:4318 every minute and, at shutdown, retried for ~9 s in authz
      // (the only service whose libraries record OpenTelemetry metrics: @openfga/sdk).
      metricReaders: [],
      logRecordProcessors: [],
      // No resource detection: it probes the host at boot and costs shutdown time.
      autoDetectResources: false,
    });
    sdk.start();
  }
  const started = sdk;
  return {
    async shutdown() {
      if (started && sdk === started) {
        sdk = undefined;
        await started.shutdown();
      }
    },
  };
}
