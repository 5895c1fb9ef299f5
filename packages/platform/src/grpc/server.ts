import { readFileSync } from 'node:fs';
import { createServer, Status, type CallContext, type Server, type ServerMiddlewareCall } from 'nice-grpc';
import { errorDetailsServerMiddleware } from 'nice-grpc-error-details';
import { openTelemetryServerMiddleware } from 'nice-grpc-opentelemetry';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import { ServerReflection, ServerReflectionService } from 'nice-grpc-server-reflection';
import { isAbortError } from 'abort-controller-x';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import type { Principal } from '../auth/principal.js';
import type { TokenVerifier } from '../auth/jwt-verifier.js';
import { actingPrincipal } from '../auth/acting-for.js';
import { PermissionDeniedError, UnauthenticatedError } from '../errors.js';
import { tracingEnabled } from '../telemetry.js';
import type { GrpcTlsFiles } from '../config.js';
import { serverCredentials } from './tls.js';
import { toServerError } from './error-mapping.js';
import type { RpcAdmission } from '../rate-limit/admission.js';

export type AuthContext = { principal: Principal };

const ANONYMOUS_PREFIXES = ['/grpc.health.v1.Health/', '/grpc.reflection.v1alpha.ServerReflection/', '/grpc.reflection.v1.ServerReflection/'];
const ANONYMOUS: Principal = { subject: 'anonymous', kind: 'user', tenant: undefined, roles: [] };

/** Per RPC (method name, e.g. `WriteGrant`), the services that may call it. */
export type ServiceCallers = Readonly<Record<string, readonly string[]>>;

/** A service's name from its subject: `service:approvals` and `system:serviceaccount:assent:approvals` are both `approvals`. */
export const serviceName = (subject: string): string => subject.slice(subject.lastIndexOf(':') + 1);

export interface GrpcServer {
  server: Server<AuthContext>;
  health: ReturnType<typeof HealthState>;
  /**
   * Which services may call which RPCs. Service identities are refused every RPC
   * not listed for them (PERMISSION_DENIED), whatever the handler would allow: least
   * privilege between services. Users are unaffected (their rules are the handlers').
   */
  allowServiceCallers(callers: ServiceCallers): void;
  /** Adds reflection for the given fully-qualified service names and starts listening. */
  listen(port: number, serviceNames: string[], host?: string): Promise<number>;
  /** Stops accepting calls and waits for in-flight ones (bounded by the caller). */
  shutdown(): Promise<void>;
}

/**
 * A nice-grpc server with the standard middleware chain, outermost first:
 * tracing (only when tracing is on, see telemetry.ts) → error details → one
 * middleware that authenticates, applies rate limits, maps domain errors to statuses and records
 * metrics. The last three are one generator rather than three: every layer costs
 * a generator and its promises per call, and this chain runs for every RPC.
 */
export function createGrpcServer(opts: {
  logger: Logger;
  metrics: Metrics;
  verifier: TokenVerifier;
  descriptorSetPath: string;
  /** Close each connection gracefully after this long (0 or absent: never), so clients re-resolve. */
  maxConnectionAgeMs?: number;
  /** TLS (and mTLS) files; plaintext without them. */
  tls?: GrpcTlsFiles;
  /** Inbound rate limits: admits each authenticated call or throws RateLimitedError. */
  admit?: RpcAdmission;
  /**
   * Services (subjects) that may act for a person they verified (`assent-acting-for`
   * headers, see auth/acting-for.ts); none when absent. `serviceSubjects` are never
   * acted for.
   */
  actingFor?: { channelServices: readonly string[]; serviceSubjects: readonly string[] };
}): GrpcServer {
  const credentials = serverCredentials(opts.tls ?? { certFile: undefined, keyFile: undefined, clientCaFile: undefined, caFile: undefined });
  const { logger, metrics, verifier } = opts;
  let serviceCallers: ServiceCallers = {};
  const acting = { channelServices: new Set(opts.actingFor?.channelServices ?? []), serviceSubjects: new Set(opts.actingFor?.serviceSubjects ?? []) };

  async function principalOf(method: string, context: CallContext): Promise<Principal> {
    if (ANONYMOUS_PREFIXES.some((p) => method.startsWith(p))) return ANONYMOUS;
    const header = context.metadata.get('authorization');
    const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header) : null;
    if (!match?.[1]) throw new UnauthenticatedError('missing bearer token');
    const principal = await verifier.verify(match[1]);
    if (principal.kind === 'service') {
      const rpc = method.slice(method.lastIndexOf('/') + 1);
      const name = serviceName(principal.subject);
      if (!serviceCallers[rpc]?.includes(name)) throw new PermissionDeniedError(`service ${name} may not call ${rpc}`);
    }
    // A channel service calling for a person it verified becomes that person (after
    // its own right to the RPC was checked above); anyone else sending it is refused.
    return actingPrincipal(principal, (key) => context.metadata.getAll(key).filter((v): v is string => typeof v === 'string'), acting);
  }

  async function* serve<Req, Res>(call: ServerMiddlewareCall<Req, Res, AuthContext>, context: CallContext) {
    const method = call.method.path;
    const end = metrics.grpcDuration.startTimer({ method });
    let code = 'OK';
    try {
      const principal = await principalOf(method, context);
      if (opts.admit && principal !== ANONYMOUS) await opts.admit(principal, call.method);
      return yield* call.next(call.request, { ...context, principal });
    } catch (err) {
      if (isAbortError(err)) {
        code = 'CANCELLED';
        throw err;
      }
      const mapped = toServerError(err, logger, method);
      code = Status[mapped.code] ?? 'UNKNOWN';
      throw mapped;
    } finally {
      end();
      metrics.grpcRequests.inc({ method, code });
      // A caller that goes away (e.g. ends a watch) is not a failure worth a log line.
      if (code !== 'OK' && code !== 'CANCELLED') logger.info({ method, code }, 'rpc failed');
    }
  }

  // Channelz (grpc-js's per-call introspection counters) is not served here; keeping
  // it on cost ~5 % of a cached Check's server CPU.
  const base = createServer({
    'grpc.enable_channelz': 0,
    // In-flight calls (watch streams included) finish on the old connection.
    ...(opts.maxConnectionAgeMs ? { 'grpc.max_connection_age_ms': opts.maxConnectionAgeMs } : {}),
  });
  const traced = tracingEnabled() ? base.use(openTelemetryServerMiddleware()) : base;
  const server = traced.use(errorDetailsServerMiddleware).use(serve);

  const health = HealthState();
  server.add(HealthDefinition, HealthServiceImpl(health));

  return {
    server,
    health,
    allowServiceCallers(callers) {
      serviceCallers = callers;
    },
    async listen(port, serviceNames, host = '0.0.0.0') {
      server.add(
        ServerReflectionService,
        ServerReflection(readFileSync(opts.descriptorSetPath), [...serviceNames, 'grpc.health.v1.Health']),
      );
      const actual = await server.listen(`${host}:${port}`, credentials);
      for (const name of serviceNames) health.setStatus('healthy', name);
      return actual;
    },
    async shutdown() {
      health.setStatus('unhealthy');
      await server.shutdown();
    },
  };
}
