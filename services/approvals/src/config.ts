import { z } from 'zod';
import { commonConfig, commonEnvSpec, env, freeze, parseEnv, type CommonConfig, type Env } from '@assent/platform';

export interface ApprovalsConfig extends CommonConfig {
  grpcPort: number;
  httpPort: number;
  authzAddr: string;
  /** Every call to authz fails (DEADLINE_EXCEEDED → UNAVAILABLE, retried by consumers) after this long. */
  authzDeadlineMs: number;
  otlpEndpoint: string | undefined;
  /** Heartbeat comment interval on the server-sent-events watch. */
  sseHeartbeatMs: number;
}

const spec = {
  ...commonEnvSpec,
  APPROVALS_GRPC_PORT: env.port(50051),
  APPROVALS_HTTP_PORT: env.port(9101),
  APPROVALS_AUTHZ_ADDR: env.string('127.0.0.1:50052'),
  APPROVALS_AUTHZ_DEADLINE_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.optionalString(),
  APPROVALS_SSE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
};

/** The only reader of the environment for approvals; throws ConfigError naming each bad variable. */
export function loadConfig(source: Env = process.env): Readonly<ApprovalsConfig> {
  const e = parseEnv(spec, source);
  return freeze({
    ...commonConfig(e),
    grpcPort: e.APPROVALS_GRPC_PORT,
    httpPort: e.APPROVALS_HTTP_PORT,
    authzAddr: e.APPROVALS_AUTHZ_ADDR,
    authzDeadlineMs: e.APPROVALS_AUTHZ_DEADLINE_MS,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    sseHeartbeatMs: e.APPROVALS_SSE_HEARTBEAT_MS,
  });
}
