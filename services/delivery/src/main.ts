import { createRuntime, EventPublisher, redisDeduper } from '@assent/platform';
import { deliveryv1 } from '@assent/proto';
import type { DeliveryConfig } from './config.js';
import type { DeliveryDeps } from './domain/ports.js';
import { cryptoIdSource } from './adapters/crypto/id-source.js';
import { DnsHostResolver } from './adapters/dns/host-resolver.js';
import { guardedLookup } from './adapters/http/guarded-lookup.js';
import { HttpWebhookSender } from './adapters/http/webhook-sender.js';
import { JetStreamAttemptLog } from './adapters/jetstream/attempt-log.js';
import { deliveryNames } from './adapters/jetstream/delivery-names.js';
import { ensureDeliveryStreams } from './adapters/jetstream/delivery-streams.js';
import { KvEndpointRepository, openEndpointBucket } from './adapters/jetstream/endpoint-repository.js';
import { SecretBox } from './adapters/crypto/secret-box.js';
import { JetStreamTaskQueue } from './adapters/jetstream/task-queue.js';
import { natsDeliveryEvents } from './adapters/jetstream/nats-delivery-events.js';
import { deliveryService } from './transport/grpc/delivery-service.js';
import { startFanoutConsumer } from './transport/nats/fanout-consumer.js';
import { startGatewayBridge } from './transport/nats/gateway-bridge.js';
import { KvGatewayStore, openGatewayBucket } from './adapters/jetstream/gateway-store.js';
import { NatsEventGateway } from './adapters/gateway/nats-event-gateway.js';
import { FINISHED_TTL_SECONDS, startTaskWorker, WORKER_CONSUMER } from './transport/nats/task-worker.js';

export interface RunningDelivery {
  grpcPort: number;
  httpPort: number;
  stop(): Promise<void>;
}

/** Composition root: the only place delivery adapters are built and wired. */
export async function startDelivery(config: DeliveryConfig): Promise<RunningDelivery> {
  const rt = await createRuntime('delivery', config, { otlpEndpoint: config.otlpEndpoint });
  try {
    if (config.allowPrivateTargets) rt.logger.warn('DELIVERY_ALLOW_PRIVATE_TARGETS=true: webhooks may reach private networks (development only)');
    const dn = deliveryNames(config.subjectRoot);
    await ensureDeliveryStreams(rt.nats.jsm, dn);
    const box = SecretBox.fromFile(config.secretKeysFile);
    const endpoints = await KvEndpointRepository.open(await openEndpointBucket(rt.nats.nc, dn.endpointBucket), {
      box,
      js: rt.nats.js,
      bucket: dn.endpointBucket,
      logger: rt.logger,
    });
    rt.readiness('endpoint mirror', () => endpoints.live());
    const gatewayStore = await KvGatewayStore.open(await openGatewayBucket(rt.nats.nc, dn.gatewayBucket), rt.logger);
    rt.readiness('gateway mirror', () => gatewayStore.live());
    const gw = config.eventGateway;
    const gateway = gw
      ? await NatsEventGateway.open({ ...gw, root: config.subjectRoot, store: gatewayStore, box, logger: rt.logger })
      : undefined;
    const deps: DeliveryDeps = {
      endpoints,
      tasks: new JetStreamTaskQueue(rt.nats.js, dn),
      attempts: new JetStreamAttemptLog(rt.nats.js, rt.nats.jsm, dn),
      sender: new HttpWebhookSender({ lookup: config.allowPrivateTargets ? undefined : guardedLookup }),
      resolver: new DnsHostResolver(),
      clock: { now: () => new Date() },
      ids: cryptoIdSource,
      retry: { ...config.retry, scheduleMs: [...config.retry.scheduleMs] },
      allowPrivateTargets: config.allowPrivateTargets,
      random: Math.random,
      tenants: await rt.tenants(),
      credentials: gatewayStore,
      gateway,
      events: natsDeliveryEvents(new EventPublisher(rt.nats.js, rt.names, rt.metrics)),
    };
    const common = { nats: rt.nats, names: rt.names, logger: rt.logger, metrics: rt.metrics, deps };
    const worker = await startTaskWorker({
      ...common,
      delivery: dn,
      finished: redisDeduper(rt.redis, WORKER_CONSUMER, FINISHED_TTL_SECONDS),
      concurrency: config.workerConcurrency,
    });
    const fanout = await startFanoutConsumer(common).catch(async (err: unknown) => {
      await worker.stop();
      throw err;
    });
    const bridge = gateway
      ? await startGatewayBridge({ ...common, gateway }).catch(async (err: unknown) => {
          await Promise.all([fanout.stop(), worker.stop()]);
          throw err;
        })
      : undefined;
    // Events stop flowing in before the worker stops; queued tasks wait durably in the stream.
    rt.onStop('delivery consumers', async () => {
      await bridge?.stop();
      await fanout.stop();
      await worker.stop();
      await gateway?.close();
      await endpoints.stop();
      await gatewayStore.stop();
    });
    rt.grpc.server.add(deliveryv1.DeliveryServiceDefinition, deliveryService(deps));
    const ports = await rt.listen({ grpcPort: config.grpcPort, httpPort: config.httpPort, serviceNames: [deliveryv1.DeliveryServiceDefinition.fullName] });
    return { ...ports, stop: () => rt.stop() };
  } catch (err) {
    await rt.stop();
    throw err;
  }
}
