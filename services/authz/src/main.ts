import { createRuntime, newEvent, type ServiceRuntime } from '@assent/platform';
import { authzv1 } from '@assent/proto';
import type { AuthzConfig } from './config.js';
import type { AuthzDeps, ModelLifecycleDeps } from './domain/ports.js';
import { DecisionRecorder } from './domain/decision-recorder.js';
import { openAuthzRepositories } from './adapters/jetstream/repositories.js';
import { NatsEventSink } from './adapters/nats/event-sink.js';
import { NatsInvalidationBus } from './adapters/nats/invalidation-bus.js';
import { CachedRelationStore } from './adapters/redis/cached-relation-store.js';
import { RedisStepUpStore } from './adapters/redis/step-up-store.js';
import { KvIdRegistry } from './adapters/jetstream/kv-id-registry.js';
import { connectOpenFgaModels, readPresharedKey, type connectOpenFga } from './adapters/openfga/connect.js';
import { JetStreamRecordedDecisions } from './adapters/jetstream/recorded-decisions.js';
import { startGrantReaper } from './adapters/openfga/grant-reaper-schedule.js';
import { authzService } from './transport/grpc/authz-service.js';

export interface RunningAuthz {
  grpcPort: number;
  httpPort: number;
  modelId: string;
  storeId: string;
  stop(): Promise<void>;
}

/**
 * Composition root: the only place authz adapters are built and wired. Builds the
 * domain's dependencies on a service runtime (startAuthz serves them over gRPC; the
 * in-process benchmark calls the domain with them directly).
 */
export async function composeAuthz(
  rt: ServiceRuntime,
  config: AuthzConfig,
): Promise<{ deps: AuthzDeps; lifecycle: ModelLifecycleDeps; openFga: Awaited<ReturnType<typeof connectOpenFga>> }> {
  const connection = await connectOpenFgaModels({
    ...config.openFga,
    presharedKey: readPresharedKey(config.openFga.presharedKeyFile),
    registry: await KvIdRegistry.open(rt.nats.nc, config.subjectRoot),
    logger: rt.logger,
  });
  const openFga = connection.store;
  rt.onStop('openfga connections', () => openFga.close());
  const relations = new CachedRelationStore(openFga, rt.redis, new NatsInvalidationBus(rt.nats.nc, config.subjectRoot, rt.logger), rt.logger);
  rt.onStop('decision cache', () => relations.stop());
  // Every replica decides with the model the current-model pointer names, from the moment it moves.
  const following = await connection.follow(() => relations.modelChanged());
  rt.onStop('current-model watch', () => following.stop());
  // One replica at a time deletes expired grant tuples (OpenFGA keeps them forever).
  const grantReaper = await startGrantReaper({ nats: rt.nats, names: rt.names, logger: rt.logger, registry: rt.metrics.registry, reaper: openFga.grantReaper(config.grantReaper), intervalMs: config.grantReaper.intervalSeconds * 1000 });
  rt.onStop('grant reaper', () => grantReaper.stop());
  const events = new NatsEventSink(rt.publisher);
  const clock = { now: () => new Date() };
  const repos = await openAuthzRepositories(rt.nats.nc, config.subjectRoot, rt.logger);
  rt.onStop('kv mirrors', () => repos.stop());
  rt.readiness('tenant and action mirrors', () => repos.live());
  const deps: AuthzDeps = {
    relations,
    freshRelations: openFga,
    tenants: repos.tenants,
    actions: repos.actions,
    events,
    decisions: new DecisionRecorder(events, clock, config.decisionRepeatWindowMs),
    eventFactory: { create: (e) => newEvent({ ...e, service: 'authz' }) },
    clock,
    trustedServices: [...config.trustedServices],
    stepUps: new RedisStepUpStore(rt.redis),
    stepUpRules: config.stepUp,
    grantCatalog: repos.grantCatalog,
  };
  const lifecycle: ModelLifecycleDeps = {
    models: connection.models,
    recorded: new JetStreamRecordedDecisions(rt.nats, rt.names, rt.logger),
    actions: repos.actions,
    events,
    eventFactory: deps.eventFactory,
    clock,
    log: rt.logger,
  };
  return { deps, lifecycle, openFga };
}

export async function startAuthz(config: AuthzConfig): Promise<RunningAuthz> {
  const rt = await createRuntime('authz', config, { otlpEndpoint: config.otlpEndpoint });
  try {
    const { deps, lifecycle, openFga } = await composeAuthz(rt, config);
    rt.grpc.server.add(authzv1.AuthzServiceDefinition, authzService(deps, lifecycle));
    // Only approvals calls authz, and only for these; no service creates tenants or members.
    rt.grpc.allowServiceCallers({ Check: ['approvals'], CheckApprover: ['approvals'], ListGroupMembers: ['approvals', 'notifier'], ListUserGroups: ['approvals'], RegisterProtectedAction: ['approvals'], WriteGrant: ['approvals'], RemoveGrant: ['approvals'], CheckStepUp: ['approvals'], Explain: ['approvals'], ListApprovers: ['approvals', 'notifier'], BatchCheck: ['approvals'] });
    const ports = await rt.listen({ grpcPort: config.grpcPort, httpPort: config.httpPort, serviceNames: [authzv1.AuthzServiceDefinition.fullName] });
    rt.logger.info({ modelId: openFga.modelId(), storeId: openFga.storeId }, 'openfga model ready');
    return { ...ports, modelId: openFga.modelId(), storeId: openFga.storeId, stop: () => rt.stop() };
  } catch (err) {
    await rt.stop();
    throw err;
  }
}
