/**
 * The whole platform in this process: `replicas` instances of each of the five
 * services on real NATS, Redis and OpenFGA, for system tests about scale and
 * outages (three-replicas, outage tests).
 *
 * Callers reach every replica: approvals → authz and notifier → approvals use an
 * `ipv4:a,b,c` target, which `openChannel` balances per call with client-side round
 * robin. A stopped replica restarts on the port it had, so those lists stay valid
 * and a restart looks, to its callers, like a pod coming back.
 */
import { connectNats, createLogger, type Nats } from '@assent/platform';
import { startApprovals } from '@assent/approvals';
import { loadConfig as approvalsConfig } from '@assent/approvals/config';
import { startAudit } from '@assent/audit';
import { loadConfig as auditConfig } from '@assent/audit/config';
import { startAuthz } from '@assent/authz';
import { loadConfig as authzConfig } from '@assent/authz/config';
import { startDelivery } from '@assent/delivery';
import { loadConfig as deliveryConfig } from '@assent/delivery/config';
import { startNotifier } from '@assent/notifier';
import { loadConfig as notifierConfig } from '@assent/notifier/config';
import { commonTestEnv, testEnv, type TestIssuer } from '@assent/testkit';

export type ServiceName = 'authz' | 'approvals' | 'audit' | 'delivery' | 'notifier';

/** Dependencies first: a service starts after the ones it calls, and stops before them. */
export const serviceOrder: readonly ServiceName[] = ['authz', 'approvals', 'audit', 'delivery', 'notifier'];

export interface PlatformOptions {
  /** uniqueRoot() of the test: subject root, stream/bucket prefix, Redis prefix, OpenFGA store name. */
  root: string;
  replicas: number;
  natsUrl?: string;
  redisUrl?: string;
  /** Each service's own NATS URL (its NATS user, RunningNatsServer.urlFor); overrides natsUrl for the services. */
  natsUrlFor?: (service: ServiceName) => string;
  /** Each service's own Redis URL (ACL user and password), e.g. RunningRedisServer.urlFor; overrides redisUrl. */
  redisUrlFor?: (service: ServiceName) => string;
  /** authz's OpenFGA settings (RunningOpenFga.authzEnv: URL and preshared key file). */
  openFgaEnv: Record<string, string>;
  issuer: TestIssuer;
  /** testkit SlackServer `url` and `token`; without them the notifier runs with Slack disabled. */
  slackUrl?: string;
  slackToken?: string;
  /** Extra environment per service (e.g. DELIVERY_RETRY_SCHEDULE_MS), applied to every replica. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
}

export interface Replica {
  service: ServiceName;
  index: number;
  grpcPort: number;
  httpPort: number;
  /** False between stopReplica and startReplica. */
  running: boolean;
}

export interface Platform {
  root: string;
  replicas: Record<ServiceName, Replica[]>;
  /** `ipv4:127.0.0.1:p1,127.0.0.1:p2,…` of every replica of a service, for openChannel. */
  addr(service: ServiceName): string;
  /** `127.0.0.1:port` of one replica. */
  addrOf(service: ServiceName, index: number): string;
  /** Graceful stop (SIGTERM path) of one replica; a no-op if it is not running. */
  stopReplica(service: ServiceName, index: number): Promise<void>;
  /** Starts a stopped replica again, on the ports it had; a no-op if it is running. */
  startReplica(service: ServiceName, index: number): Promise<Replica>;
  /** Messages not yet acknowledged (pending + ack pending) per `<stream>/<durable>` of this root. */
  consumerBacklog(): Promise<Record<string, number>>;
  /** A NATS connection of the harness (for reading streams in assertions); closed by stop(). */
  nats: Nats;
  /** Stops every running replica (dependents first) and the harness connection; never throws. */
  stop(): Promise<void>;
}

interface Instance {
  replica: Replica;
  stop?: () => Promise<void>;
}

/** Starts every replica of each service, service by service; replicas of one service start together, as pods do. */
export async function startPlatform(opts: PlatformOptions): Promise<Platform> {
  const common = {
    ...commonTestEnv(opts.root, opts.issuer),
    ASSENT_NATS_URL: opts.natsUrl ?? testEnv.natsUrl,
    ASSENT_REDIS_URL: opts.redisUrl ?? testEnv.redisUrl,
  };
  const instances = Object.fromEntries(serviceOrder.map((s) => [s, [] as Instance[]])) as Record<ServiceName, Instance[]>;
  const list = (service: ServiceName) => `ipv4:${instances[service].map((i) => `127.0.0.1:${i.replica.grpcPort}`).join(',')}`;

  /** Port 0 on first start; the previous ports on a restart. */
  async function boot(service: ServiceName, grpcPort: number, httpPort: number): Promise<{ grpcPort: number; httpPort: number; stop(): Promise<void> }> {
    const P = service.toUpperCase();
    const env = {
      ...common,
      ...(opts.redisUrlFor ? { ASSENT_REDIS_URL: opts.redisUrlFor(service) } : {}),
      ...(opts.natsUrlFor ? { ASSENT_NATS_URL: opts.natsUrlFor(service) } : {}),
      [`${P}_GRPC_PORT`]: String(grpcPort),
      [`${P}_HTTP_PORT`]: String(httpPort),
      ...opts.env?.[service],
    };
    switch (service) {
      case 'authz':
        return startAuthz(authzConfig({ ...env, ...opts.openFgaEnv, AUTHZ_OPENFGA_STORE_NAME: opts.root }));
      case 'approvals':
        return startApprovals(approvalsConfig({ APPROVALS_AUTHZ_ADDR: list('authz'), ...env }));
      case 'audit':
        return startAudit(auditConfig(env));
      case 'delivery':
        return startDelivery(deliveryConfig({ DELIVERY_ALLOW_PRIVATE_TARGETS: 'true', ...env }));
      case 'notifier':
        return startNotifier(
          notifierConfig({
            ...(opts.slackUrl ? { NOTIFIER_SLACK_API_URL: opts.slackUrl } : {}),
            ...(opts.slackToken ? { NOTIFIER_SLACK_BOT_TOKEN: opts.slackToken } : {}),
            // The system tests' one tenant is a single-tenant install for Slack: any channel its policies name.
            // The local Slack server has no rate limit: these tests are about exactly-once under load
            // and outages, not Slack's pacing (notifier-slack-updates tests that), so pace far above what
            // the load makes: at 100/s, the one channel's backlog of a 60 s Slack outage on a fast machine took longer
            // to drain than the outage test allows, and the test measured the pacing, not the recovery.
            ...(opts.slackUrl ? { NOTIFIER_SLACK_TENANT: 'acme', NOTIFIER_SLACK_CHANNELS: '*', NOTIFIER_SLACK_CHANNEL_RATE: '1000', NOTIFIER_SLACK_CHANNEL_BURST: '1000' } : {}),
            // Email pages and Slack act through approvals (only once a channel is configured).
            NOTIFIER_APPROVALS_ADDR: list('approvals'),
            NOTIFIER_AUTHZ_ADDR: list('authz'),
            ...env,
          }),
        );
    }
  }

  async function start(service: ServiceName, index: number): Promise<Replica> {
    const existing = instances[service][index];
    if (existing?.replica.running) return existing.replica;
    const running = await boot(service, existing?.replica.grpcPort ?? 0, existing?.replica.httpPort ?? 0);
    // The same Replica object across restarts, so `platform.replicas` stays current.
    const replica: Replica = Object.assign(existing?.replica ?? { service, index }, { grpcPort: running.grpcPort, httpPort: running.httpPort, running: true });
    instances[service][index] = { replica, stop: () => running.stop() };
    return replica;
  }

  async function stopOne(service: ServiceName, index: number): Promise<void> {
    const inst = instances[service][index];
    if (!inst?.stop) return;
    const stop = inst.stop;
    delete inst.stop;
    inst.replica.running = false;
    await stop();
  }

  const nats = await connectNats(opts.natsUrl ?? testEnv.natsUrl, `platform-${opts.root}`, createLogger('platform-harness', 'silent'));
  const stopAll = async () => {
    for (const service of [...serviceOrder].reverse()) {
      const results = await Promise.allSettled(instances[service].map((_, i) => stopOne(service, i)));
      for (const r of results) if (r.status === 'rejected') console.error(`stopping a ${service} replica failed:`, r.reason);
    }
    await nats.drain().catch(() => undefined);
  };

  try {
    for (const service of serviceOrder) {
      await Promise.all(Array.from({ length: opts.replicas }, (_, i) => start(service, i)));
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  const prefix = opts.root.toUpperCase();
  return {
    root: opts.root,
    replicas: Object.fromEntries(serviceOrder.map((s) => [s, instances[s].map((i) => i.replica)])) as Record<ServiceName, Replica[]>,
    addr: list,
    addrOf: (service, index) => `127.0.0.1:${instances[service][index]?.replica.grpcPort ?? 0}`,
    stopReplica: stopOne,
    startReplica: start,
    async consumerBacklog() {
      const backlog: Record<string, number> = {};
      for await (const s of nats.jsm.streams.list()) {
        if (!s.config.name.startsWith(`${prefix}_`)) continue;
        for await (const c of nats.jsm.consumers.list(s.config.name)) {
          backlog[`${s.config.name}/${c.name}`] = c.num_pending + c.num_ack_pending;
        }
      }
      return backlog;
    },
    nats,
    stop: stopAll,
  };
}
