import { createRuntime, newEvent } from '@assent/platform';
import { authzv1 } from '@assent/proto';
import type { AuthzConfig } from './config.js';
import type { AuthzDeps } from './domain/ports.js';
import { openAuthzRepositories } from './adapters/jetstream/repositories.js';
import { NatsEventSink } from './adapters/nats/event-sink.js';
import { KvIdRegistry } from './adapters/jetstream/kv-id-registry.js';
import { connectOpenFga } from './adapters/openfga/connect.js';
import { authzService } from './transport/grpc/authz-service.js';

export interface RunningAuthz {
  grpcPort: number;
  httpPort: number;
  modelId: string;
  storeId: string;
  stop(): Promise<void>;
}

/** Composition root: the only place authz adapters are built and wired. */
export async function startAuthz(config: AuthzConfig): Promise<RunningAuthz> {
  const rt = await createRuntime('authz', config, { otlpEndpoint: config.otlpEndpoint });
  try {
    const relations = await connectOpenFga({ ...config.openFga, registry: await KvIdRegistry.open(rt.nats.nc, config.subjectRoot) });
    const repos = await openAuthzRepositories(rt.nats.nc, config.subjectRoot, rt.logger);
    rt.onStop('kv mirrors', () => repos.stop());
    const deps: AuthzDeps = {
      relations,
      tenants: repos.tenants,
      actions: repos.actions,
      events: new NatsEventSink(rt.publisher),
      eventFactory: { create: (e) => newEvent({ ...e, service: 'authz' }) },
      clock: { now: () => new Date() },
      trustedServices: [...config.trustedServices],
    };
    rt.grpc.server.add(authzv1.AuthzServiceDefinition, authzService(deps));
    const ports = await rt.listen({ grpcPort: config.grpcPort, httpPort: config.httpPort, serviceNames: [authzv1.AuthzServiceDefinition.fullName] });
    rt.logger.info({ modelId: relations.modelId(), storeId: relations.storeId }, 'openfga model ready');
    return { ...ports, modelId: relations.modelId(), storeId: relations.storeId, stop: () => rt.stop() };
  } catch (err) {
    await rt.stop();
    throw err;
  }
}
