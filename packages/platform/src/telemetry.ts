import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, NoopSpanProcessor, ParentBasedSampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

let sdk: NodeSDK | undefined;

/**
 * Starts tracing once per process. Spans are exported over OTLP/HTTP when
 * `otlpEndpoint` is set (normally from OTEL_EXPORTER_OTLP_ENDPOINT); without it
 * spans are still created so trace ids reach logs and propagate over gRPC and NATS.
 * gRPC spans come from nice-grpc-opentelemetry middleware and NATS spans from
 * nats/tracing.ts: both are explicit, so they work under ESM without loader hooks.
 */
export function startTelemetry(
  serviceName: string,
  otlpEndpoint: string | undefined,
  /** Extra processors, e.g. an in-memory exporter in tests. */
  spanProcessors: SpanProcessor[] = [],
): { shutdown(): Promise<void> } {
  if (!sdk) {
    const processors = [
      ...(otlpEndpoint ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/$/, '')}/v1/traces` }))] : []),
      ...spanProcessors,
    ];
    sdk = new NodeSDK({
      serviceName,
      // Without any processor NodeSDK registers no tracer provider at all, and every
      // span is a no-op with all-zero (invalid) ids: keep a provider either way.
      spanProcessors: processors.length ? processors : [new NoopSpanProcessor()],
      // With nowhere to send spans, record none: ids are still made and propagated
      // (logs and events carry them) but no span stores attributes or events.
      sampler: processors.length ? new ParentBasedSampler({ root: new AlwaysOnSampler() }) : new AlwaysOffSampler(),
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
      if (sdk === started) {
        sdk = undefined;
        await started.shutdown();
      }
    },
  };
}
