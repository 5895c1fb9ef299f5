import { commonConfig, commonEnvSpec, env, freeze, parseEnv, type CommonConfig, type Env } from '@assent/platform';
import { z } from 'zod';

export interface AuditConfig extends CommonConfig {
  grpcPort: number;
  httpPort: number;
  otlpEndpoint: string | undefined;
  /** Ed25519 private key that signs checkpoints (a mounted Secret): PKCS#8 PEM or a JWK. */
  signingKeyFile: string;
  /** Earlier signing keys' public JWKs (a JWK Set), kept so their checkpoints still verify. */
  verifyKeysFile: string | undefined;
  /** How often heads that moved are signed. */
  checkpointIntervalMs: number;
  /** How often each replica looks for export jobs to run (created ones wake it at once). */
  exportIntervalMs: number;
  /** A RUNNING export silent this long (its replica died) is taken over by another. */
  exportStaleMs: number;
}

const spec = {
  ...commonEnvSpec,
  AUDIT_GRPC_PORT: env.port(50053),
  AUDIT_HTTP_PORT: env.port(9103),
  AUDIT_SIGNING_KEY_FILE: env.string(),
  AUDIT_VERIFY_KEYS_FILE: env.optionalString(),
  AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(100).max(24 * 3_600_000).default(60_000),
  AUDIT_EXPORT_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(1_000),
  AUDIT_EXPORT_STALE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.optionalString(),
};

/** The only reader of the environment for audit; throws ConfigError naming each bad variable. */
export function loadConfig(source: Env = process.env): Readonly<AuditConfig> {
  const e = parseEnv(spec, source);
  return freeze({
    ...commonConfig(e),
    grpcPort: e.AUDIT_GRPC_PORT,
    httpPort: e.AUDIT_HTTP_PORT,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    signingKeyFile: e.AUDIT_SIGNING_KEY_FILE,
    verifyKeysFile: e.AUDIT_VERIFY_KEYS_FILE,
    checkpointIntervalMs: e.AUDIT_CHECKPOINT_INTERVAL_MS,
    exportIntervalMs: e.AUDIT_EXPORT_INTERVAL_MS,
    exportStaleMs: e.AUDIT_EXPORT_STALE_MS,
  });
}
