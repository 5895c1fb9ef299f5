import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { cleanupNats, testEnv, uniqueRoot } from '@assent/testkit';
import {
  connectNats,
  createGrpcClient,
  createGrpcServer,
  createLogger,
  createMetrics,
  ensureEventStreams,
  EventPublisher,
  names,
  newEvent,
  openChannel,
  parseEvent,
  startConsumer,
  startTelemetry,
  staticToken,
  type Nats,
} from '@assent/platform';
import { authzv1, descriptorSetPath } from '@assent/proto';

const exporter = new InMemorySpanExporter();
const telemetry = startTelemetry('tracing-test', undefined, [new SimpleSpanProcessor(exporter)]);
const tracer = trace.getTracer('test');
const logger = createLogger('test', 'silent');
const root = uniqueRoot();
let nats: Nats;

beforeAll(async () => {
  nats = await connectNats(testEnv.natsUrl, 'tracing-test', logger);
  await ensureEventStreams(nats.jsm, names(root));
});
afterAll(async () => {
  await nats?.drain();
  await cleanupNats(root);
  await telemetry.shutdown();
});

describe('trace context crosses service boundaries', () => {
  it('over gRPC: the server handler runs in the caller’s trace', async () => {
    let serverTrace: string | undefined;
    const server = createGrpcServer({
      logger,
      metrics: createMetrics('tracing-test'),
      verifier: { verify: async () => ({ subject: 'alice', kind: 'user', tenant: 'acme', roles: [] }) },
      descriptorSetPath,
    });
    const unimplemented = Object.fromEntries(
      Object.keys(authzv1.AuthzServiceDefinition.methods).map((m) => [m, async () => Promise.reject(new Error('unimplemented'))]),
    );
    server.server.add(authzv1.AuthzServiceDefinition, {
      ...unimplemented,
      async check() {
        serverTrace = trace.getActiveSpan()?.spanContext().traceId;
        return { decision: authzv1.Decision.DECISION_ALLOW, reason: 'test', modelId: '', policy: undefined, grantExpiresAt: undefined, decisionId: '' };
      },
    } as unknown as authzv1.AuthzServiceImplementation);
    const port = await server.listen(0, [authzv1.AuthzServiceDefinition.fullName], '127.0.0.1');
    const channel = openChannel(`127.0.0.1:${port}`);
    try {
      const client = createGrpcClient(authzv1.AuthzServiceDefinition, channel, staticToken('t'));
      const callerTrace = await tracer.startActiveSpan('caller', async (span) => {
        await client.check({ tenant: 'acme', principal: '', action: 'a.b', resource: 'r' });
        span.end();
        return span.spanContext().traceId;
      });
      expect(serverTrace).toBe(callerTrace);
      expect(exporter.getFinishedSpans().some((s) => s.name.includes('AuthzService/Check') && s.spanContext().traceId === callerTrace)).toBe(true);
    } finally {
      channel.close();
      await server.shutdown();
    }
  });

  it('over NATS: the consumer span continues the publisher’s trace (traceparent header and event extension)', async () => {
    const n = names(root);
    const publisher = new EventPublisher(nats.js, n);
    const received: { trace: string | undefined; traceparent: string | undefined }[] = [];
    const consumer = await startConsumer({
      nats,
      names: n,
      logger,
      stream: n.eventsStream,
      durable: 'tracing',
      filterSubject: n.allEvents(),
      handle: async (msg) => {
        received.push({ trace: trace.getActiveSpan()?.spanContext().traceId, traceparent: parseEvent(msg.data).traceparent });
      },
    });
    try {
      const publisherTrace = await tracer.startActiveSpan('publisher', async (span) => {
        await publisher.publish(newEvent({ type: 'assent.test.traced.v1', service: 'test', subject: 'x/1', tenant: 'acme', data: {} }));
        span.end();
        return span.spanContext().traceId;
      });
      await expect.poll(() => received.length, { timeout: 5_000 }).toBe(1);
      expect(received[0]?.trace).toBe(publisherTrace);
      expect(received[0]?.traceparent).toContain(publisherTrace);
    } finally {
      await consumer.stop();
    }
  });
});
