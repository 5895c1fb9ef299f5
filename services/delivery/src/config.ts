import { ConfigError, commonConfig, commonEnvSpec, env, freeze, parseEnv, type CommonConfig, type Env } from '@assent/platform';
import { z } from 'zod';
import { defaultScheduleMs } from './domain/retry-schedule.js';
import type { RetryPolicy } from './domain/types.js';

export interface DeliveryConfig extends CommonConfig {
  grpcPort: number;
  httpPort: number;
  /** Local development and tests only: endpoints may target loopback/private networks. */
  allowPrivateTargets: boolean;
  retry: RetryPolicy;
  workerConcurrency: number;
  otlpEndpoint: string | undefined;
  /** Key-encryption keys for webhook signing secrets (a mounted Secret): `kid=<base64 32 bytes>` per line, primary first. */
  secretKeysFile: string;
  /** The event gateway for outside consumers; undefined: stream credentials are not offered. */
  eventGateway:
    | {
        url: string;
        publicUrl: string | undefined;
        signingKeyFile: string;
        systemCredsFile: string;
        limits: { diskBytes: number; consumers: number; connections: number };
      }
    | undefined;
}

const positiveInt = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/** Comma-separated milliseconds, e.g. "5000,300000" (tests use tiny values). */
const msList = (fallback: number[]) =>
  z
    .string()
    .default(fallback.join(','))
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean).map(Number))
    .pipe(z.array(z.number().int().min(0).max(7 * 24 * 3_600_000), { message: 'must be comma-separated milliseconds' }).min(1, 'needs at least one delay'));

const spec = {
  ...commonEnvSpec,
  DELIVERY_GRPC_PORT: env.port(50054),
  DELIVERY_HTTP_PORT: env.port(9104),
  DELIVERY_ALLOW_PRIVATE_TARGETS: env.bool(false),
  DELIVERY_TIMEOUT_MS: positiveInt(10_000, 120_000),
  DELIVERY_MAX_ATTEMPTS: positiveInt(8, 50),
  DELIVERY_RETRY_SCHEDULE_MS: msList(defaultScheduleMs),
  DELIVERY_MAX_RETRY_AFTER_MS: positiveInt(3_600_000, 7 * 24 * 3_600_000),
  DELIVERY_WORKER_CONCURRENCY: positiveInt(16, 1_000),
  DELIVERY_SECRET_KEYS_FILE: env.string(),
  // The event gateway (nats-server in operator mode, docs/deploy.md): unset = no stream credentials.
  DELIVERY_EVENT_GATEWAY_URL: env.optionalString(),
  DELIVERY_EVENT_GATEWAY_PUBLIC_URL: env.optionalString(),
  DELIVERY_EVENT_GATEWAY_SIGNING_KEY_FILE: env.optionalString(),
  DELIVERY_EVENT_GATEWAY_SYSTEM_CREDS_FILE: env.optionalString(),
  // Each tenant's stream reserves this much of the gateway's JetStream storage (max_file).
  DELIVERY_EVENT_GATEWAY_TENANT_DISK_MB: positiveInt(256, 1024 * 1024),
  DELIVERY_EVENT_GATEWAY_TENANT_CONSUMERS: positiveInt(100, 10_000),
  DELIVERY_EVENT_GATEWAY_TENANT_CONNECTIONS: positiveInt(100, 100_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.optionalString(),
};

/** The only reader of the environment for delivery; throws ConfigError naming each bad variable. */
export function loadConfig(source: Env = process.env): Readonly<DeliveryConfig> {
  const e = parseEnv(spec, source);
  const gatewayFiles = { DELIVERY_EVENT_GATEWAY_SIGNING_KEY_FILE: e.DELIVERY_EVENT_GATEWAY_SIGNING_KEY_FILE, DELIVERY_EVENT_GATEWAY_SYSTEM_CREDS_FILE: e.DELIVERY_EVENT_GATEWAY_SYSTEM_CREDS_FILE };
  if (e.DELIVERY_EVENT_GATEWAY_URL) {
    const missing = Object.entries(gatewayFiles).filter(([, v]) => v === undefined);
    if (missing.length) throw new ConfigError(missing.map(([variable]) => ({ variable, message: 'is required with DELIVERY_EVENT_GATEWAY_URL' })));
  }
  return freeze({
    ...commonConfig(e),
    grpcPort: e.DELIVERY_GRPC_PORT,
    httpPort: e.DELIVERY_HTTP_PORT,
    allowPrivateTargets: e.DELIVERY_ALLOW_PRIVATE_TARGETS,
    retry: {
      maxAttempts: e.DELIVERY_MAX_ATTEMPTS,
      scheduleMs: e.DELIVERY_RETRY_SCHEDULE_MS,
      maxRetryAfterMs: e.DELIVERY_MAX_RETRY_AFTER_MS,
      jitter: 0.2,
      timeoutMs: e.DELIVERY_TIMEOUT_MS,
    },
    workerConcurrency: e.DELIVERY_WORKER_CONCURRENCY,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    secretKeysFile: e.DELIVERY_SECRET_KEYS_FILE,
    eventGateway: e.DELIVERY_EVENT_GATEWAY_URL
      ? {
          url: e.DELIVERY_EVENT_GATEWAY_URL,
          publicUrl: e.DELIVERY_EVENT_GATEWAY_PUBLIC_URL,
          signingKeyFile: e.DELIVERY_EVENT_GATEWAY_SIGNING_KEY_FILE as string,
          systemCredsFile: e.DELIVERY_EVENT_GATEWAY_SYSTEM_CREDS_FILE as string,
          limits: {
            diskBytes: e.DELIVERY_EVENT_GATEWAY_TENANT_DISK_MB * 1024 * 1024,
            consumers: e.DELIVERY_EVENT_GATEWAY_TENANT_CONSUMERS,
            connections: e.DELIVERY_EVENT_GATEWAY_TENANT_CONNECTIONS,
          },
        }
      : undefined,
  });
}
