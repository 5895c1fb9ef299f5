import { existsSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';

/** Where integration tests find NATS (JetStream) and Redis, and how to release them. */
export interface BackingServices {
  natsUrl: string;
  redisUrl: string;
  source: 'env' | 'private' | 'local' | 'containers';
  stop(): Promise<void>;
}

export interface ResolveOptions {
  env: Record<string, string | undefined>;
  /** Is something listening at host:port? */
  reachable(host: string, port: number): Promise<boolean>;
  /** Is a container engine available (Docker socket, DOCKER_HOST)? */
  containerEngine(): boolean;
  /** Starts NATS with JetStream and Redis in containers. */
  startContainers(): Promise<{ natsUrl: string; redisUrl: string; stop(): Promise<void> }>;
  /** Starts private NATS and Redis that require credentials, when their binaries are installed; undefined otherwise. */
  startPrivate?(): Promise<{ natsUrl: string; redisUrl: string; stop(): Promise<void> } | undefined>;
}

const LOCAL_NATS = 'nats://127.0.0.1:4222';
const LOCAL_REDIS = 'redis://127.0.0.1:6379';

/**
 * Explicit ASSENT_TEST_NATS_URL / ASSENT_TEST_REDIS_URL win; otherwise private servers
 * with authentication on (where nats-server and redis-server are installed: tests run
 * against credentialed servers, and never touch the machine's shared ones);
 * otherwise the local services on their standard ports; otherwise, where a container
 * engine exists, testcontainers starts them. Without any of these the error says what to do.
 */
export async function resolveBackingServices(o: ResolveOptions): Promise<BackingServices> {
  const natsEnv = o.env['ASSENT_TEST_NATS_URL'];
  const redisEnv = o.env['ASSENT_TEST_REDIS_URL'];
  if (natsEnv && redisEnv) return { natsUrl: natsEnv, redisUrl: redisEnv, source: 'env', stop: async () => undefined };
  if (!natsEnv && !redisEnv && o.startPrivate) {
    const started = await o.startPrivate();
    if (started) return { ...started, source: 'private' };
  }
  const [nats, redis] = await Promise.all([o.reachable('127.0.0.1', 4222), o.reachable('127.0.0.1', 6379)]);
  if ((natsEnv || nats) && (redisEnv || redis)) {
    return { natsUrl: natsEnv ?? LOCAL_NATS, redisUrl: redisEnv ?? LOCAL_REDIS, source: natsEnv || redisEnv ? 'env' : 'local', stop: async () => undefined };
  }
  if (o.containerEngine()) return { ...(await o.startContainers()), source: 'containers' };
  const missing = [!(natsEnv || nats) && `NATS with JetStream (${LOCAL_NATS})`, !(redisEnv || redis) && `Redis (${LOCAL_REDIS})`].filter(Boolean);
  throw new Error(
    `integration tests need ${missing.join(' and ')}: start them, point ASSENT_TEST_NATS_URL / ASSENT_TEST_REDIS_URL at running ones, or provide a container engine for testcontainers`,
  );
}

export function tcpReachable(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export function containerEngineAvailable(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env['DOCKER_HOST']) || existsSync('/var/run/docker.sock');
}

/** NATS 2.10 (JetStream on) and Redis 7 through testcontainers; loaded only when used. */
export async function startContainers(): Promise<{ natsUrl: string; redisUrl: string; stop(): Promise<void> }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const [nats, redis] = await Promise.all([
    new GenericContainer('nats:2.10-alpine').withCommand(['-js']).withExposedPorts(4222).withWaitStrategy(Wait.forLogMessage(/Server is ready/)).start(),
    new GenericContainer('redis:7-alpine').withExposedPorts(6379).withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/)).start(),
  ]);
  return {
    natsUrl: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`,
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
    stop: async () => {
      await Promise.all([nats.stop(), redis.stop()]);
    },
  };
}

/**
 * NATS (JetStream) and Redis of the tests' own, with authentication on: every
 * connection needs credentials (the tests use an unrestricted test user; the
 * per-service least-privilege users are exercised by the system and permission
 * tests). Undefined when either binary is missing.
 */
export async function startPrivateServers(): Promise<{ natsUrl: string; redisUrl: string; stop(): Promise<void> } | undefined> {
  const installed = (bin: string) => ['/usr/sbin', '/usr/bin', '/usr/local/bin'].some((d) => existsSync(`${d}/${bin}`));
  if (!installed('nats-server') || !installed('redis-server')) return undefined;
  const { startNatsServer } = await import('./nats-server.js');
  const { startRedisServer } = await import('./redis-server.js');
  const [nats, redis] = await Promise.all([startNatsServer({ auth: { root: 'assent' } }), startRedisServer({ acl: { root: 'assent' } })]);
  return {
    natsUrl: nats.url,
    redisUrl: redis.adminUrl,
    stop: async () => {
      await Promise.all([nats.stop(), redis.stop()]);
    },
  };
}
