import { descriptorSetPath } from '@assent/proto';
import type { Logger } from 'pino';
import type { CommonConfig } from './config.js';
import { createJwtVerifier } from './auth/jwt-verifier.js';
import { serviceTokenSource, type TokenSource } from './auth/token-source.js';
import { createGrpcServer, type GrpcServer } from './grpc/server.js';
import { startHttpServer, type HttpHandler, type HttpServer } from './http-server.js';
import { createLogger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { connectNats, type Nats } from './nats/connect.js';
import { EventPublisher } from './nats/events.js';
import { ensureEventStreams, setStreamReplicas } from './nats/streams.js';
import { names, type Names } from './nats/subjects.js';
import { createRedis, type Redis } from './redis.js';
import { Shutdown } from './shutdown.js';
import type { TenantDirectory } from './auth/tenant-access.js';
import { openTenantDirectory } from './nats/tenant-directory.js';
import { startTelemetry } from './telemetry.js';
import { rateLimitAdmission, type MethodInfo } from './rate-limit/admission.js';
import type { Principal } from './auth/principal.js';
import { PermissionDeniedError, UnauthenticatedError } from './errors.js';
import { RedisRateLimiter } from './rate-limit/redis-rate-limiter.js';

/**
 * Everything a service's composition root needs, built the same way for every
 * service: logger, metrics, tracing, NATS (with the event streams), Redis, the
 * gRPC server and the ops HTTP port, and ordered shutdown.
 */
export interface ServiceRuntime {
  service: string;
  config: CommonConfig;
  logger: Logger;
  metrics: Metrics;
  names: Names;
  nats: Nats;
  redis: Redis;
  grpc: GrpcServer;
  publisher: EventPublisher;
  /** This service's identity for calls to `target` (a token for that service's audience). */
  serviceTokens(target: string): TokenSource;
  /** The tenant directory (opened on first use; stopped with the service, part of /readyz). */
  tenants(): Promise<TenantDirectory>;
  /** Adds a condition to /readyz (e.g. a KV mirror is live); NATS being connected is always one. */
  readiness(name: string, check: () => boolean): void;
  /** Runs on stop, after gRPC stops accepting and before NATS drains (e.g. stop consumers). */
  onStop(name: string, fn: () => Promise<void> | void): void;
  listen(opts: { grpcPort: number; httpPort: number; serviceNames: string[]; host?: string; http?: HttpHandler }): Promise<{ grpcPort: number; httpPort: number }>;
  /**
   * For HTTP endpoints that mirror an RPC (e.g. server-sent events for a watch): the
   * caller's bearer token verified as gRPC does, and the RPC's rate limit applied.
   * Throws UnauthenticatedError, PermissionDeniedError (services) or RateLimitedError.
   */
  authenticateHttp(authorization: string | undefined, method: MethodInfo): Promise<Principal>;
  stop(): Promise<void>;
}

export async function createRuntime(service: string, config: CommonConfig, opts: { otlpEndpoint?: string | undefined } = {}): Promise<ServiceRuntime> {
  const telemetry = startTelemetry(`assent-${service}`, opts.otlpEndpoint);
  const logger = createLogger(service, config.logLevel);
  const metrics = createMetrics(service);
  const n = names(config.subjectRoot);
  const nats = await connectNats(config.natsUrl, `assent-${service}`, logger, { tls: config.natsTls });
  setStreamReplicas(config.natsReplicas);
  await ensureEventStreams(nats.jsm, n);
  const redis = createRedis(config.redisUrl, config.subjectRoot, config.redisTls, config.redisSentinels);
  redis.on('error', (err) => logger.warn({ err }, 'redis error'));
  const verifier = createJwtVerifier({ ...config.auth, serviceAudience: `${config.auth.audience}:${service}` });
  const limiter = new RedisRateLimiter(redis, { fallbackReplicas: config.rateLimits.fallbackReplicas, onFallback: () => metrics.rateLimitFallbacks.inc() });
  const admit = rateLimitAdmission({ service, limiter, limits: config.rateLimits, metrics });
  const authenticateHttp = async (authorization: string | undefined, method: MethodInfo): Promise<Principal> => {
    const match = authorization ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
    if (!match?.[1]) throw new UnauthenticatedError('missing bearer token');
    const principal = await verifier.verify(match[1]);
    if (principal.kind !== 'user') throw new PermissionDeniedError('this endpoint is for people; services use gRPC');
    await admit(principal, method);
    return principal;
  };
  const grpc = createGrpcServer({ logger, metrics, verifier, descriptorSetPath, maxConnectionAgeMs: config.grpcMaxConnectionAgeMs, tls: config.grpcTls, admit, actingFor: { channelServices: config.auth.channelServices, serviceSubjects: config.auth.serviceSubjects } });
  const publisher = new EventPublisher(nats.js, n, metrics);

  const stopHooks: { name: string; fn: () => Promise<void> | void }[] = [];
  const checks: { name: string; check: () => boolean }[] = [{ name: 'nats', check: () => nats.connected() }];
  let http: HttpServer | undefined;
  let ready = false;
  const tokens = new Map<string, TokenSource>();
  let tenantDirectory: Promise<TenantDirectory> | undefined;

  const shutdown = new Shutdown(logger);
  shutdown.add('grpc', () => {
    ready = false;
    return grpc.shutdown();
  });
  shutdown.add('service hooks', async () => {
    for (const hook of stopHooks) {
      try {
        await hook.fn();
      } catch (err) {
        logger.error({ err, hook: hook.name }, 'stop hook failed');
      }
    }
  });
  shutdown.add('nats', () => nats.drain());
  shutdown.add('redis', async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  shutdown.add('http', () => http?.close());
  shutdown.add('telemetry', () => telemetry.shutdown());

  return {
    service,
    config,
    logger,
    metrics,
    names: n,
    nats,
    redis,
    grpc,
    publisher,
    serviceTokens(target) {
      let source = tokens.get(target);
      if (!source) tokens.set(target, (source = serviceTokenSource(service, target, config.auth)));
      return source;
    },
    readiness(name, check) {
      checks.push({ name, check });
    },
    tenants() {
      tenantDirectory ??= openTenantDirectory(nats.nc, n, logger).then((dir) => {
        stopHooks.push({ name: 'tenant directory', fn: () => dir.stop() });
        checks.push({ name: 'tenant directory', check: () => dir.live() });
        return dir;
      });
      return tenantDirectory;
    },
    onStop(name, fn) {
      stopHooks.push({ name, fn });
    },
    authenticateHttp,
    async listen(o) {
      const host = o.host ?? config.bindHost;
      const grpcPort = await grpc.listen(o.grpcPort, o.serviceNames, host);
      http = await startHttpServer({ port: o.httpPort, host, registry: metrics.registry, ready: () => ready && checks.every((c) => c.check()), extra: o.http });
      ready = true;
      logger.info({ grpcPort, httpPort: http.port }, `${service} listening`);
      return { grpcPort, httpPort: http.port };
    },
    stop: () => shutdown.run(),
  };
}
