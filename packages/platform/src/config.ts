import { z } from 'zod';
import { parseIssuerRights, SUBJECT_PREFIX, type IssuerRights } from './auth/jwt-verifier.js';
import { defaultServiceSubjects } from './auth/principal.js';
import { rateLimitsSchema, type RateLimits } from './rate-limit/limits.js';

/** Thrown at boot when the environment is invalid; names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type EnvSpec = Record<string, z.ZodType>;
export type Env = Record<string, string | undefined>;

/**
 * Parses the variables named by `spec` (keys are the variable names) out of `env`.
 * Empty strings count as unset so defaults apply. Fails with every problem at once.
 */
export function parseEnv<S extends EnvSpec>(spec: S, env: Env): { [K in keyof S]: z.output<S[K]> } {
  const input: Record<string, string | undefined> = {};
  for (const name of Object.keys(spec)) {
    const value = env[name];
    input[name] = value === undefined || value.trim() === '' ? undefined : value.trim();
  }
  const result = z.object(spec).safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(env)');
        return { variable, message: input[variable] === undefined ? 'is required' : issue.message };
      }),
    );
  }
  return result.data as { [K in keyof S]: z.output<S[K]> };
}

/** Field helpers so every service validates the same kinds of values the same way. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  url: (fallback?: string) => (fallback === undefined ? z.url() : z.url().default(fallback)),
  string: (fallback?: string) => (fallback === undefined ? z.string().min(1) : z.string().min(1).default(fallback)),
  optionalString: () => z.string().min(1).optional(),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
  list: (fallback: string[] = []) =>
    z
      .string()
      .optional()
      .transform((v) => (v === undefined ? fallback : v.split(',').map((s) => s.trim()).filter(Boolean))),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  subjectRoot: () =>
    z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be lowercase letters, digits or _ (max 32)')
      .default('assent'),
};

/** Settings every service shares; variables are prefixed ASSENT_. */
export const commonEnvSpec = {
  ASSENT_NATS_URL: env.string('nats://127.0.0.1:4222'),
  ASSENT_REDIS_URL: env.string('redis://127.0.0.1:6379'),
  // Redis with failover: the Sentinels (host:port, comma-separated) and the name they
  // monitor. The user and password still come from ASSENT_REDIS_URL (its host is unused).
  ASSENT_REDIS_SENTINELS: env.list(),
  ASSENT_REDIS_SENTINEL_MASTER: env.string('assent'),
  // The Sentinels' own password (their `requirepass`), if they have one.
  ASSENT_REDIS_SENTINEL_PASSWORD: env.optionalString(),
  // Copies of each stream and KV bucket the services create: 3 on a 3-node NATS cluster.
  ASSENT_NATS_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  ASSENT_LOG_LEVEL: env.logLevel(),
  ASSENT_SUBJECT_ROOT: env.subjectRoot(),
  ASSENT_JWKS_URL: env.url(),
  ASSENT_JWT_ISSUER: env.string(),
  ASSENT_JWT_AUDIENCE: env.string('assent'),
  // A token presented when fetching ASSENT_JWKS_URL (the Kubernetes API server wants one).
  ASSENT_JWKS_TOKEN_FILE: env.optionalString(),
  // Accepted signature algorithms (asymmetric only; Kubernetes signs RS256, the dev issuer ES256).
  ASSENT_JWT_ALGORITHMS: env.list(['RS256', 'ES256']),
  // What ASSENT_JWT_ISSUER may assert (see parseIssuerRights); everything by default.
  // The Kubernetes manifests set `services`: cluster tokens are workloads, never people.
  ASSENT_JWT_ISSUER_RIGHTS: z
    .string()
    .default('services,platform-admin,tenants=*')
    .transform((v, ctx) => {
      try {
        return parseIssuerRights(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /**
   * More trusted issuers, `issuer=jwksUrl` separated by ";" (e.g. your IdP for people),
   * each optionally followed by a space and its rights (default `tenants=*`: people of
   * any tenant, never services or platform-admin). Their subjects are namespaced by the
   * issuer's host (`idp.example.com:alice`) unless the rights name a `prefix=`.
   */
  ASSENT_EXTRA_ISSUERS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const pairs: { issuer: string; jwksUrl: string; rights: IssuerRights }[] = [];
      for (const part of (v ?? '').split(';').map((p) => p.trim()).filter(Boolean)) {
        const i = part.indexOf('=');
        const issuer = part.slice(0, i).trim();
        const [jwksUrl = '', rightsText = 'tenants=*'] = part.slice(i + 1).trim().split(/\s+/, 2);
        // Namespaced by default: the issuer's host, unless its rights say otherwise.
        const host = URL.canParse(issuer) ? new URL(issuer).hostname.toLowerCase() : '';
        if (i <= 0 || !URL.canParse(jwksUrl)) {
          ctx.addIssue({ code: 'custom', message: `"${part}" is not issuer=jwksUrl [rights]` });
          return z.NEVER;
        }
        try {
          const rights = parseIssuerRights(rightsText);
          const named = /(^|,)\s*prefix=/.test(rightsText);
          pairs.push({ issuer, jwksUrl, rights: named || !SUBJECT_PREFIX.test(host) ? rights : { ...rights, prefix: host } });
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `"${part}": ${(err as Error).message}` });
          return z.NEVER;
        }
      }
      return pairs;
    }),
  /** Token subjects that are Assent services (act for any tenant). */
  ASSENT_SERVICE_SUBJECTS: env.list(defaultServiceSubjects),
  /**
   * Service subjects that may act for a person they verified themselves (Slack, email
   * links, the portal) with the assent-acting-for headers. Unset: the notifier's
   * subject(s) among ASSENT_SERVICE_SUBJECTS (`service:notifier` locally).
   */
  ASSENT_CHANNEL_SERVICES: z
    .string()
    .optional()
    .transform((v) => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean))),
  // gRPC TLS (PEM files, e.g. a mounted cert-manager Secret). With CERT and KEY the
  // server speaks TLS; with CLIENT_CA it also requires client certificates (mTLS).
  // Calls to other services verify them against CA and present CERT/KEY if set.
  ASSENT_GRPC_TLS_CERT_FILE: env.optionalString(),
  ASSENT_GRPC_TLS_KEY_FILE: env.optionalString(),
  ASSENT_GRPC_TLS_CLIENT_CA_FILE: env.optionalString(),
  ASSENT_GRPC_TLS_CA_FILE: env.optionalString(),
  // TLS to NATS and to Redis (use a rediss:// URL): CA to verify the server, and a
  // client certificate and key where the server requires them (NATS `verify`,
  // Redis `tls-auth-clients`). Unset: the system CAs, no client certificate.
  ASSENT_NATS_TLS_CA_FILE: env.optionalString(),
  ASSENT_NATS_TLS_CERT_FILE: env.optionalString(),
  ASSENT_NATS_TLS_KEY_FILE: env.optionalString(),
  ASSENT_REDIS_TLS_CA_FILE: env.optionalString(),
  ASSENT_REDIS_TLS_CERT_FILE: env.optionalString(),
  ASSENT_REDIS_TLS_KEY_FILE: env.optionalString(),
  // Interface the gRPC and HTTP servers bind: every one in a pod; loopback for `make up`.
  ASSENT_BIND_HOST: env.string('0.0.0.0'),
  // 0 = connections live as long as the client keeps them. In Kubernetes a few minutes,
  // so round-robin clients re-resolve the headless Service and find new pods.
  ASSENT_GRPC_MAX_CONNECTION_AGE_MS: z.coerce.number().int().min(0).default(0),
  // Inbound rate limits as JSON (see docs/deploy.md): defaults, per-tenant overrides and
  // the replica count the Redis-down fallback divides by. Unset: the defaults.
  ASSENT_RATE_LIMITS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      let json: unknown = {};
      try {
        if (v !== undefined) json = JSON.parse(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `not JSON: ${(err as Error).message}` });
        return z.NEVER;
      }
      const parsed = rateLimitsSchema.safeParse(json);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') });
        return z.NEVER;
      }
      return parsed.data;
    }),
  ASSENT_SERVICE_TOKEN_FILE: env.optionalString(),
  ASSENT_DEV_ISSUER_KEY_FILE: env.optionalString(),
};

/** PEM files of a TLS client (NATS, Redis): CA to verify the server, optional client certificate. */
export interface ClientTlsFiles {
  caFile: string | undefined;
  certFile: string | undefined;
  keyFile: string | undefined;
}

/** PEM file paths for gRPC TLS; see ASSENT_GRPC_TLS_* in commonEnvSpec. */
export interface GrpcTlsFiles {
  certFile: string | undefined;
  keyFile: string | undefined;
  clientCaFile: string | undefined;
  caFile: string | undefined;
}

export interface CommonConfig {
  natsUrl: string;
  /** Replicas of each stream and KV bucket created (NATS cluster size, at most 5). */
  natsReplicas: number;
  redisUrl: string;
  logLevel: string;
  subjectRoot: string;
  /** Interface the servers bind (0.0.0.0 in a pod, 127.0.0.1 locally). */
  bindHost: string;
  /** gRPC TLS files; all undefined = plaintext (local runs, or a mesh doing mTLS). */
  grpcTls: GrpcTlsFiles;
  /** TLS to NATS (any file set, or a tls:// URL, turns it on). */
  natsTls: ClientTlsFiles;
  /** TLS to Redis (a rediss:// URL turns it on; these add a CA and a client certificate). */
  redisTls: ClientTlsFiles;
  /** Redis through Sentinel (failover): empty = connect to ASSENT_REDIS_URL's host. */
  redisSentinels: { sentinels: { host: string; port: number }[]; master: string; password?: string | undefined };
  /** gRPC server connections are closed (gracefully, GOAWAY) after this long; 0 = never. */
  grpcMaxConnectionAgeMs: number;
  /** Inbound rate limits (token buckets in Redis shared by the replicas). */
  rateLimits: RateLimits;
  auth: {
    jwksUrl: string;
    issuer: string;
    /** Every trusted issuer: the primary one first. */
    issuers: { issuer: string; jwksUrl: string; jwksTokenFile?: string | undefined; rights?: IssuerRights | undefined }[];
    audience: string;
    algorithms: string[];
    serviceSubjects: string[];
    /** Service subjects that may act for a person (assent-acting-for); each must also be a service subject. */
    channelServices: string[];
    serviceTokenFile: string | undefined;
    devIssuerKeyFile: string | undefined;
  };
}

export function commonConfig(parsed: { [K in keyof typeof commonEnvSpec]: z.output<(typeof commonEnvSpec)[K]> }): CommonConfig {
  const redisTlsSet = parsed.ASSENT_REDIS_TLS_CA_FILE ?? parsed.ASSENT_REDIS_TLS_CERT_FILE ?? parsed.ASSENT_REDIS_TLS_KEY_FILE;
  if (redisTlsSet && !parsed.ASSENT_REDIS_URL.startsWith('rediss://')) {
    throw new ConfigError([{ variable: 'ASSENT_REDIS_URL', message: 'must be rediss:// when ASSENT_REDIS_TLS_* files are set' }]);
  }
  // Only a verified service identity may act for people: a user subject here would be a hole.
  const channelServices = parsed.ASSENT_CHANNEL_SERVICES ?? parsed.ASSENT_SERVICE_SUBJECTS.filter((s) => s.slice(s.lastIndexOf(':') + 1) === 'notifier');
  const notServices = channelServices.filter((s) => !parsed.ASSENT_SERVICE_SUBJECTS.includes(s));
  if (notServices.length) {
    throw new ConfigError([{ variable: 'ASSENT_CHANNEL_SERVICES', message: `${notServices.join(', ')} not in ASSENT_SERVICE_SUBJECTS: only services may act for people` }]);
  }
  return {
    natsUrl: parsed.ASSENT_NATS_URL,
    natsReplicas: parsed.ASSENT_NATS_REPLICAS,
    redisUrl: parsed.ASSENT_REDIS_URL,
    logLevel: parsed.ASSENT_LOG_LEVEL,
    subjectRoot: parsed.ASSENT_SUBJECT_ROOT,
    bindHost: parsed.ASSENT_BIND_HOST,
    grpcTls: {
      certFile: parsed.ASSENT_GRPC_TLS_CERT_FILE,
      keyFile: parsed.ASSENT_GRPC_TLS_KEY_FILE,
      clientCaFile: parsed.ASSENT_GRPC_TLS_CLIENT_CA_FILE,
      caFile: parsed.ASSENT_GRPC_TLS_CA_FILE,
    },
    natsTls: { caFile: parsed.ASSENT_NATS_TLS_CA_FILE, certFile: parsed.ASSENT_NATS_TLS_CERT_FILE, keyFile: parsed.ASSENT_NATS_TLS_KEY_FILE },
    redisSentinels: {
      sentinels: parsed.ASSENT_REDIS_SENTINELS.map((hp) => {
        const i = hp.lastIndexOf(':');
        const port = Number(hp.slice(i + 1));
        if (i <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError([{ variable: 'ASSENT_REDIS_SENTINELS', message: `"${hp}" is not host:port` }]);
        return { host: hp.slice(0, i), port };
      }),
      master: parsed.ASSENT_REDIS_SENTINEL_MASTER,
      password: parsed.ASSENT_REDIS_SENTINEL_PASSWORD,
    },
    redisTls: { caFile: parsed.ASSENT_REDIS_TLS_CA_FILE, certFile: parsed.ASSENT_REDIS_TLS_CERT_FILE, keyFile: parsed.ASSENT_REDIS_TLS_KEY_FILE },
    grpcMaxConnectionAgeMs: parsed.ASSENT_GRPC_MAX_CONNECTION_AGE_MS,
    rateLimits: parsed.ASSENT_RATE_LIMITS,
    auth: {
      jwksUrl: parsed.ASSENT_JWKS_URL,
      issuer: parsed.ASSENT_JWT_ISSUER,
      issuers: [
        { issuer: parsed.ASSENT_JWT_ISSUER, jwksUrl: parsed.ASSENT_JWKS_URL, jwksTokenFile: parsed.ASSENT_JWKS_TOKEN_FILE, rights: parsed.ASSENT_JWT_ISSUER_RIGHTS },
        ...parsed.ASSENT_EXTRA_ISSUERS,
      ],
      audience: parsed.ASSENT_JWT_AUDIENCE,
      algorithms: parsed.ASSENT_JWT_ALGORITHMS,
      serviceSubjects: parsed.ASSENT_SERVICE_SUBJECTS,
      channelServices,
      serviceTokenFile: parsed.ASSENT_SERVICE_TOKEN_FILE,
      devIssuerKeyFile: parsed.ASSENT_DEV_ISSUER_KEY_FILE,
    },
  };
}

/** Deep-freezes config so nothing mutates it after boot. */
export function freeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) freeze(v);
    Object.freeze(value);
  }
  return value;
}
