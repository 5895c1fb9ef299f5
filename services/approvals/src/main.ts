import { channelCredentials, createGrpcClient, createRuntime, monotonicUlids, newEvent, NotFoundError, openChannel, startOutboxRelay, startTimers, StreamEntityStore, TimerIndex } from '@assent/platform';
import { approvalsv1, authzv1 } from '@assent/proto';
import type { ApprovalsConfig } from './config.js';
import type { ApprovalsDeps } from './domain/ports.js';
import { JetStreamPolicyRepository, openPolicyBucket, recordFromJson, type PolicyRecordJson } from './adapters/jetstream/policy-repository.js';
import { activatePolicy } from './domain/commands/put-policy.js';
import { KvLineageIndex } from './adapters/jetstream/lineage-index.js';
import { JetStreamDelegationRepository, fromSetJson, openDelegationBucket, type DelegationSetJson } from './adapters/jetstream/delegation-repository.js';
import { StreamRequestRepository } from './adapters/jetstream/request-repository.js';
import { StreamRequestWatcher } from './adapters/jetstream/request-watcher.js';
import { GrpcAuthzGateway } from './adapters/grpc/authz-gateway.js';
import { RedisIdempotencyStore } from './adapters/redis/idempotency-store.js';
import { RedisInboxIndex } from './adapters/redis/inbox-index.js';
import { fromJson } from './adapters/jetstream/request-json.js';
import { approvalsService } from './transport/grpc/approvals-service.js';
import { watchSseHandler } from './transport/http/watch-sse.js';
import { startGrantConsumer } from './transport/nats/grant-consumer.js';
import { startInboxConsumer } from './transport/nats/inbox-consumer.js';
import { fireTimers } from './domain/commands/fire-timers.js';
import type { RequestJson } from './adapters/jetstream/request-json.js';

export interface RunningApprovals {
  grpcPort: number;
  httpPort: number;
  stop(): Promise<void>;
}

/** Composition root: the only place approvals adapters are built and wired. */
export async function startApprovals(config: ApprovalsConfig): Promise<RunningApprovals> {
  const rt = await createRuntime('approvals', config, { otlpEndpoint: config.otlpEndpoint });
  try {
    const store = new StreamEntityStore<RequestJson>(rt.nats, rt.names, 'request', rt.logger);
    await store.ensure();
    rt.onStop('request watch feed', () => store.stop());
    const authzChannel = openChannel(config.authzAddr, channelCredentials(config.grpcTls));
    rt.onStop('authz channel', () => authzChannel.close());
    const policyStore = new StreamEntityStore<PolicyRecordJson>(rt.nats, rt.names, 'policy', rt.logger);
    const policies = await JetStreamPolicyRepository.open(policyStore, await openPolicyBucket(rt.nats.nc, config.subjectRoot), rt.logger);
    rt.onStop('policy mirror', () => policies.stop());
    rt.readiness('policy mirror', () => policies.live());
    const delegationStore = new StreamEntityStore<DelegationSetJson>(rt.nats, rt.names, 'delegation', rt.logger);
    const delegations = await JetStreamDelegationRepository.open(delegationStore, await openDelegationBucket(rt.nats.nc, config.subjectRoot), rt.logger);
    rt.onStop('delegation mirror', () => delegations.stop());
    rt.readiness('delegation mirror', () => delegations.live());
    const inboxIndex = new RedisInboxIndex(rt.redis);
    const deps: ApprovalsDeps = {
      policies,
      delegations,
      lineage: await KvLineageIndex.open(rt.nats.nc, config.subjectRoot),
      requests: new StreamRequestRepository(store),
      watcher: new StreamRequestWatcher(store),
      authz: new GrpcAuthzGateway(createGrpcClient(authzv1.AuthzServiceDefinition, authzChannel, rt.serviceTokens('authz'), { deadlineMs: config.authzDeadlineMs })),
      idempotency: new RedisIdempotencyStore(rt.redis),
      inbox: inboxIndex,
      events: { emit: async (e) => void (await rt.publisher.publish(e)) },
      newEvent: (e) => newEvent({ ...e, service: 'approvals' }),
      newId: monotonicUlids(),
      clock: { now: () => new Date() },
      tenants: await rt.tenants(),
    };
    // Each transition's next wake-up goes into the timer index from the outbox relay:
    // it follows the stored state in order and survives a crash after the write (the
    // relay retries until it is done). Both live in NATS, so nothing else can hold it up.
    const timerIndex = await TimerIndex.open(rt.nats, rt.names, 'request');
    const relay = await startOutboxRelay({
      nats: rt.nats,
      names: rt.names,
      logger: rt.logger,
      metrics: rt.metrics,
      store,
      afterRelay: (tenant, id, value) => timerIndex.set(tenant, id, fromJson(value as RequestJson).wakeAt),
    });
    // Each stored policy version is put into effect by its relay: authz first, then the read model.
    const policyRelay = await startOutboxRelay({
      nats: rt.nats,
      names: rt.names,
      logger: rt.logger,
      metrics: rt.metrics,
      store: policyStore,
      afterRelay: (tenant, _id, value) => activatePolicy(deps, tenant, recordFromJson(value as PolicyRecordJson)),
    });
    // Each stored change to someone's delegations goes into the read model every replica mirrors.
    const delegationRelay = await startOutboxRelay({
      nats: rt.nats,
      names: rt.names,
      logger: rt.logger,
      metrics: rt.metrics,
      store: delegationStore,
      afterRelay: (_tenant, _id, value) => delegations.activate(fromSetJson(value as DelegationSetJson)),
    });
    const grants = await startGrantConsumer(rt, deps);
    const inbox = await startInboxConsumer(rt, store, inboxIndex, () => inboxIndex.claimRebuild());
    const timers = await startTimers({
      nats: rt.nats,
      names: rt.names,
      logger: rt.logger,
      metrics: rt.metrics,
      entity: 'request',
      fire: async (tenant, id) => {
        await fireTimers(deps, tenant, id).catch((err: unknown) => {
          // The index names a request that is not stored: nothing to wake.
          if (!(err instanceof NotFoundError)) throw err;
        });
      },
    });
    rt.onStop('consumers', async () => {
      await Promise.all([relay.stop(), policyRelay.stop(), delegationRelay.stop(), grants.stop(), inbox.stop(), timers.stop()]);
    });
    // Ends open WatchRequest streams first: the gRPC drain would otherwise wait for them.
    const stopping = new AbortController();
    rt.grpc.server.add(approvalsv1.ApprovalsServiceDefinition, approvalsService(deps, stopping.signal));
    // The notifier calls for the people it verified (Slack, email links, the portal;
    // assent-acting-for), so each call is judged as that person's.
    const channel = ['notifier'];
    rt.grpc.allowServiceCallers({ GetRequest: channel, Approve: channel, Decline: channel, RequestChanges: channel, Comment: channel });
    const sse = watchSseHandler(deps, {
      // The same rate class and counters as the RPC it mirrors.
      authenticate: (authorization) =>
        rt.authenticateHttp(authorization, { path: `/${approvalsv1.ApprovalsServiceDefinition.fullName}/WatchRequest`, options: approvalsv1.ApprovalsServiceDefinition.methods.watchRequest.options }),
      heartbeatMs: config.sseHeartbeatMs,
      logger: rt.logger,
      stopping: stopping.signal,
    });
    const ports = await rt.listen({ grpcPort: config.grpcPort, httpPort: config.httpPort, serviceNames: [approvalsv1.ApprovalsServiceDefinition.fullName], http: sse });
    return {
      ...ports,
      stop: () => {
        stopping.abort();
        return rt.stop();
      },
    };
  } catch (err) {
    await rt.stop();
    throw err;
  }
}
