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
import { UnauthenticatedError } from '../errors.js';
import { toServerError } from './error-mapping.js';

export type AuthContext = { principal: Principal };

const ANONYMOUS_PREFIXES = ['/grpc.health.v1.Health/', '/grpc.reflection.v1alpha.ServerReflection/', '/grpc.reflection.v1.ServerReflection/'];
const ANONYMOUS: Principal = { subject: 'anonymous', kind: 'user', tenant: undefined, roles: [] };

export interface GrpcServer {
  server: Server<AuthContext>;
  health: ReturnType<typeof HealthState>;
  /** Adds reflection for the given fully-qualified service names and starts listening. */
  listen(port: number, serviceNames: string[], host?: string): Promise<number>;
  /** Stops accepting calls and waits for in-flight ones (bounded by the caller). */
  shutdown(): Promise<void>;
}

/**
 * A nice-grpc server with the standard middleware chain, outermost first:
 * tracing → error details → metrics/logging → error mapping → authentication.
 */
export function createGrpcServer(opts: {
  logger: Logger;
  metrics: Metrics;
  verifier: TokenVerifier;
  descriptorSetPath: string;
}): GrpcServer {
  const { logger, metrics, verifier } = opts;

  async function* observe<Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
    const method = call.method.path;
    const end = metrics.grpcDuration.startTimer({ method });
    let code = Status[Status.OK];
    try {
      return yield* call.next(call.request, context);
    } catch (err) {
      code = err instanceof Error && 'code' in err ? Status[(err as { code: Status }).code] ?? 'UNKNOWN' : 'UNKNOWN';
      throw err;
    } finally {
      end();
      metrics.grpcRequests.inc({ method, code });
      if (code !== 'OK') logger.info({ method, code }, 'rpc failed');
    }
  }

  async function* mapErrors<Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
    try {
      return yield* call.next(call.request, context);
    } catch (err) {
      if (isAbortError(err)) throw err;
      throw toServerError(err, logger, call.method.path);
    }
  }

  async function* authenticate<Req, Res>(call: ServerMiddlewareCall<Req, Res, AuthContext>, context: CallContext) {
    if (ANONYMOUS_PREFIXES.some((p) => call.method.path.startsWith(p))) {
      return yield* call.next(call.request, { ...context, principal: ANONYMOUS });
    }
    const header = context.metadata.get('authorization');
    const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header) : null;
    if (!match?.[1]) throw new UnauthenticatedError('missing bearer token');
    const principal = await verifier.verify(match[1]);
    return yield* call.next(call.request, { ...context, principal });
  }

  const server = createServer()
    .use(openTelemetryServerMiddleware())
    .use(errorDetailsServerMiddleware)
    .use(observe)
    .use(mapErrors)
    .use(authenticate);

  const health = HealthState();
  server.add(HealthDefinition, HealthServiceImpl(health));

  return {
    server,
    health,
    async listen(port, serviceNames, host = '0.0.0.0') {
      server.add(
        ServerReflectionService,
        ServerReflection(readFileSync(opts.descriptorSetPath), [...serviceNames, 'grpc.health.v1.Health']),
      );
      const actual = await server.listen(`${host}:${port}`);
      for (const name of serviceNames) health.setStatus('healthy', name);
      return actual;
    },
    async shutdown() {
      health.setStatus('unhealthy');
      await server.shutdown();
    },
  };
}
