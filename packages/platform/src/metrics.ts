import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  grpcRequests: Counter<'method' | 'code'>;
  grpcDuration: Histogram<'method'>;
  messagesConsumed: Counter<'consumer' | 'outcome'>;
  /** Messages not yet acknowledged by a consumer (waiting plus in flight): the lag an outage shows as. */
  consumerPending: Gauge<'consumer'>;
  /** Messages this instance is retrying in place (a dependency is failing). */
  consumerRetrying: Gauge<'consumer'>;
  eventsPublished: Counter<'type'>;
  /** Calls refused by an inbound rate limit, by method and the limit that refused them. */
  rateLimited: Counter<'method' | 'scope'>;
  /** Admission decisions taken on this replica alone because Redis was unreachable. */
  rateLimitFallbacks: Counter;
  /** How late each timer fired after its due time (the scheduler's drift). */
  timerDrift: Histogram<'entity'>;
}

/** One registry per service instance (tests run several services in one process). */
export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    grpcRequests: new Counter({
      name: 'assent_grpc_requests_total',
      help: 'gRPC requests handled, by method and status code',
      labelNames: ['method', 'code'],
      registers: [registry],
    }),
    grpcDuration: new Histogram({
      name: 'assent_grpc_request_duration_seconds',
      help: 'gRPC request latency',
      labelNames: ['method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    messagesConsumed: new Counter({
      name: 'assent_messages_consumed_total',
      help: 'JetStream messages handled, by consumer and outcome (ack, retry, parked)',
      labelNames: ['consumer', 'outcome'],
      registers: [registry],
    }),
    consumerPending: new Gauge({
      name: 'assent_consumer_pending',
      help: 'Messages a durable consumer has not acknowledged yet (not yet delivered plus in flight)',
      labelNames: ['consumer'],
      registers: [registry],
    }),
    consumerRetrying: new Gauge({
      name: 'assent_consumer_retrying',
      help: 'Messages this instance is retrying in place because a dependency failed',
      labelNames: ['consumer'],
      registers: [registry],
    }),
    eventsPublished: new Counter({
      name: 'assent_events_published_total',
      help: 'CloudEvents published, by type',
      labelNames: ['type'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'assent_rate_limited_total',
      help: 'Calls refused with RESOURCE_EXHAUSTED by an inbound rate limit, by method and limit',
      labelNames: ['method', 'scope'],
      registers: [registry],
    }),
    rateLimitFallbacks: new Counter({
      name: 'assent_rate_limit_fallbacks_total',
      help: 'Rate-limit decisions taken by this replica alone (its share of the limit) because Redis was unreachable',
      registers: [registry],
    }),
    timerDrift: new Histogram({
      name: 'assent_timer_drift_seconds',
      help: 'Delay between a timer\'s due time and the start of its handler, by entity',
      labelNames: ['entity'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      registers: [registry],
    }),
  };
}
