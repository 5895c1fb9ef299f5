import { createRuntime } from '@assent/platform';
import { auditv1 } from '@assent/proto';
import type { AuditConfig } from './config.js';
import type { AuditDeps } from './domain/ports.js';
import { JetStreamAuditLog } from './adapters/jetstream/audit-log.js';
import { RedisEventIndex } from './adapters/redis/event-index.js';
import { startEventConsumer } from './transport/nats/event-consumer.js';
import { auditService } from './transport/grpc/audit-service.js';

export interface RunningAudit {
  grpcPort: number;
  httpPort: number;
  stop(): Promise<void>;
}

/** Composition root: the only place audit adapters are built and wired. */
export async function startAudit(config: AuditConfig): Promise<RunningAudit> {
  const rt = await createRuntime('audit', config, { otlpEndpoint: config.otlpEndpoint });
  try {
    const log = await JetStreamAuditLog.open(rt.nats, rt.names, new RedisEventIndex(rt.redis), (err) =>
      rt.logger.warn({ err }, 'audit event index update failed; it catches up on the next lookup'),
    );
    const deps: AuditDeps = { log, clock: { now: () => new Date() }, tenants: await rt.tenants() };
    const consumer = await startEventConsumer({ nats: rt.nats, names: rt.names, logger: rt.logger, metrics: rt.metrics, deps });
    rt.onStop('event consumer', () => consumer.stop());
    rt.grpc.server.add(auditv1.AuditServiceDefinition, auditService(deps));
    const ports = await rt.listen({ grpcPort: config.grpcPort, httpPort: config.httpPort, serviceNames: [auditv1.AuditServiceDefinition.fullName] });
    return { ...ports, stop: () => rt.stop() };
  } catch (err) {
    await rt.stop();
    throw err;
  }
}
