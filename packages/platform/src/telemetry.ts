import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

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
    sdk = new NodeSDK({
      serviceName,
      spanProcessors: [
        ...(otlpEndpoint ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/$/, '')}/v1/traces` }))] : []),
        ...spanProcessors,
      ],
      instrumentations: [],
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
