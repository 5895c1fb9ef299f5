import { createRuntime, newUlid } from '@assent/platform';
import { auditv1 } from '@assent/proto';
import type { AuditConfig } from './config.js';
import type { CheckpointDeps } from './domain/ports.js';
import type { ExportDeps } from './domain/export/export-ports.js';
import { watchAppends } from './domain/watch-appends.js';
import { JetStreamAuditLog } from './adapters/jetstream/audit-log.js';
import { JetStreamChainHeads } from './adapters/jetstream/chain-heads.js';
import { JetStreamCheckpointLog } from './adapters/jetstream/checkpoint-log.js';
import { JetStreamExportFiles } from './adapters/jetstream/export-files.js';
import { JetStreamExportJobs } from './adapters/jetstream/export-jobs.js';
import { loadKeyRing } from './adapters/keys/load-key-ring.js';
import { RedisEventIndex } from './adapters/redis/event-index.js';
import { startEventConsumer } from './transport/nats/event-consumer.js';
import { auditService } from './transport/grpc/audit-service.js';
import { startCheckpointSchedule } from './transport/schedule/checkpoint-schedule.js';
import { startExportWorker } from './transport/schedule/export-worker.js';

export interface RunningAudit {
  grpcPort: number;
  httpPort: number;
  /** Signs every head that moved now, as the next scheduled tick would (tests). */
  checkpointNow(): Promise<void>;
  /** Takes and runs the export jobs waiting now, as the worker's next tick would (tests). */
  exportNow(): Promise<void>;
  stop(): Promise<void>;
}

/** Composition root: the only place audit adapters are built and wired. */
export async function startAudit(config: AuditConfig): Promise<RunningAudit> {
  // A missing or wrong key fails the boot before anything connects.
  const keys = loadKeyRing(config.signingKeyFile, config.verifyKeysFile);
  const rt = await createRuntime('audit', config, { otlpEndpoint: config.otlpEndpoint });
  try {
    const journal = await JetStreamAuditLog.open(rt.nats, rt.names, new RedisEventIndex(rt.redis), (err) =>
      rt.logger.warn({ err }, 'audit event index update failed; it catches up on the next lookup'),
    );
    const checkpoints = await JetStreamCheckpointLog.open(rt.nats, rt.names);
    const signing: CheckpointDeps = { log: journal, heads: new JetStreamChainHeads(rt.nats, rt.names), checkpoints, keys, clock: { now: () => new Date() }, tenants: await rt.tenants() };
    const schedule = startCheckpointSchedule({
      deps: signing,
      intervalMs: config.checkpointIntervalMs,
      logger: rt.logger,
      initialTenants: () => JetStreamCheckpointLog.chainTenants(rt.nats, rt.names),
    });
    rt.onStop('checkpoint schedule', () => schedule.stop());
    // Appends name their tenant to the schedule: only heads that moved are signed.
    const deps: CheckpointDeps = { ...signing, log: watchAppends(journal, (tenant) => schedule.touched(tenant)) };
    const consumer = await startEventConsumer({ nats: rt.nats, names: rt.names, logger: rt.logger, metrics: rt.metrics, deps });
    rt.onStop('event consumer', () => consumer.stop());
    const jobs = await JetStreamExportJobs.open(rt.nats, rt.names, rt.logger);
    rt.readiness('export jobs', () => jobs.live());
    const exportDeps: ExportDeps = { ...deps, jobs, files: await JetStreamExportFiles.open(rt.nats, rt.names), newId: () => newUlid() };
    const exports = startExportWorker({ deps: exportDeps, logger: rt.logger, intervalMs: config.exportIntervalMs, staleMs: config.exportStaleMs });
    // Stopped before the jobs' store, so a running export is handed back while it is still there.
    rt.onStop('export worker', () => exports.stop());
    rt.onStop('export jobs', () => jobs.stop());
    rt.grpc.server.add(auditv1.AuditServiceDefinition, auditService(exportDeps, () => exports.kick()));
    const ports = await rt.listen({ grpcPort: config.grpcPort, httpPort: config.httpPort, serviceNames: [auditv1.AuditServiceDefinition.fullName] });
    return { ...ports, checkpointNow: () => schedule.runOnce(), exportNow: () => exports.runOnce(), stop: () => rt.stop() };
  } catch (err) {
    await rt.stop();
    throw err;
  }
}
