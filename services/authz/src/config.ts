import { z } from 'zod';
import { commonConfig, commonEnvSpec, env, freeze, parseEnv, type CommonConfig, type Env } from '@assent/platform';

export interface AuthzConfig extends CommonConfig {
  grpcPort: number;
  httpPort: number;
  /** presharedKeyFile: a file holding OpenFGA's preshared key (a mounted Secret); absent = no authentication. */
  openFga: { apiUrl: string; storeId: string | undefined; storeName: string; presharedKeyFile: string | undefined };
  trustedServices: string[];
  otlpEndpoint: string | undefined;
  /** Identical Check decisions within this window are covered by one audit record (0: publish every one). */
  decisionRepeatWindowMs: number;
  /** What opens a step-up session, and how long one lasts after its last use. */
  stepUp: { maxAgeSeconds: number; acr: string[]; amr: string[]; windowSeconds: number };
  /** Deleting expired grant tuples: every `intervalSeconds` (0: never), those ended `graceSeconds` ago, at most `maxDeletes` a sweep. */
  grantReaper: { intervalSeconds: number; graceSeconds: number; maxDeletes: number };
}

const spec = {
  ...commonEnvSpec,
  AUTHZ_GRPC_PORT: env.port(50052),
  AUTHZ_HTTP_PORT: env.port(9102),
  AUTHZ_OPENFGA_API_URL: env.url('http://127.0.0.1:8080'),
  AUTHZ_OPENFGA_STORE_ID: env.optionalString(),
  AUTHZ_OPENFGA_STORE_NAME: env.string('assent'),
  AUTHZ_OPENFGA_PRESHARED_KEY_FILE: env.optionalString(),
  AUTHZ_TRUSTED_SERVICES: env.list(['service:approvals']),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.optionalString(),
  AUTHZ_DECISION_REPEAT_WINDOW_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  AUTHZ_STEP_UP_MAX_AGE_SECONDS: z.coerce.number().int().min(10).max(3_600).default(300),
  // RFC 8176 methods that are a second factor or phishing-resistant; not "sms" or "pwd".
  AUTHZ_STEP_UP_ACR: env.list(['mfa', 'phr', 'phrh', 'http://schemas.openid.net/pape/policies/2007/06/multi-factor']),
  AUTHZ_STEP_UP_AMR: env.list(['mfa', 'hwk', 'otp', 'swk', 'fpt', 'face', 'pop']),
  AUTHZ_STEP_UP_WINDOW_SECONDS: z.coerce.number().int().min(60).max(43_200).default(900),
  AUTHZ_GRANT_REAPER_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
  AUTHZ_GRANT_REAPER_GRACE_SECONDS: z.coerce.number().int().min(0).max(30 * 86_400).default(3_600),
  AUTHZ_GRANT_REAPER_MAX_DELETES: z.coerce.number().int().min(1).max(100_000).default(1_000),
};

/** The only reader of the environment for authz; throws ConfigError naming each bad variable. */
export function loadConfig(source: Env = process.env): Readonly<AuthzConfig> {
  const e = parseEnv(spec, source);
  return freeze({
    ...commonConfig(e),
    grpcPort: e.AUTHZ_GRPC_PORT,
    httpPort: e.AUTHZ_HTTP_PORT,
    openFga: {
      apiUrl: e.AUTHZ_OPENFGA_API_URL,
      storeId: e.AUTHZ_OPENFGA_STORE_ID,
      storeName: e.AUTHZ_OPENFGA_STORE_NAME,
      presharedKeyFile: e.AUTHZ_OPENFGA_PRESHARED_KEY_FILE,
    },
    trustedServices: e.AUTHZ_TRUSTED_SERVICES,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    decisionRepeatWindowMs: e.AUTHZ_DECISION_REPEAT_WINDOW_MS,
    stepUp: { maxAgeSeconds: e.AUTHZ_STEP_UP_MAX_AGE_SECONDS, acr: e.AUTHZ_STEP_UP_ACR, amr: e.AUTHZ_STEP_UP_AMR, windowSeconds: e.AUTHZ_STEP_UP_WINDOW_SECONDS },
    grantReaper: { intervalSeconds: e.AUTHZ_GRANT_REAPER_INTERVAL_SECONDS, graceSeconds: e.AUTHZ_GRANT_REAPER_GRACE_SECONDS, maxDeletes: e.AUTHZ_GRANT_REAPER_MAX_DELETES },
  });
}
