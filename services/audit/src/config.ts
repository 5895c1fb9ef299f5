import { commonConfig, commonEnvSpec, env, freeze, parseEnv, type CommonConfig, type Env } from '@assent/platform';

export interface AuditConfig extends CommonConfig {
  grpcPort: number;
  httpPort: number;
  otlpEndpoint: string | undefined;
}

const spec = {
  ...commonEnvSpec,
  AUDIT_GRPC_PORT: env.port(50053),
  AUDIT_HTTP_PORT: env.port(9103),
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
  });
}
