/**
 * Where each local process listens. Replica i of a service listens on its base ports
 * plus 100·i (gRPC and HTTP alike), so replica 0 keeps the ports the README uses:
 *
 *   service    gRPC (replica 0, 1, 2, …)    HTTP /metrics (replica 0, 1, 2, …)
 *   approvals  50051, 50151, 50251, …       9101, 9201, 9301, …
 *   authz      50052, 50152, 50252, …       9102, 9202, 9302, …
 *   audit      50053, …                     9103, …
 *   delivery   50054, …                     9104, …
 *   notifier   50055, …                     9105, …
 *
 * Callers reach all replicas of a service through one gRPC target listing them
 * (`ipv4:127.0.0.1:50052,127.0.0.1:50152,…`), balanced by grpc-js round robin
 * (packages/platform `openChannel`).
 */
export const serviceNames = ['authz', 'approvals', 'audit', 'delivery', 'notifier'] as const;
export type ServiceName = (typeof serviceNames)[number];

const base: Record<ServiceName, { grpc: number; http: number; svc: string }> = {
  approvals: { grpc: 50051, http: 9101, svc: 'assent.approvals.v1.ApprovalsService' },
  authz: { grpc: 50052, http: 9102, svc: 'assent.authz.v1.AuthzService' },
  audit: { grpc: 50053, http: 9103, svc: 'assent.audit.v1.AuditService' },
  delivery: { grpc: 50054, http: 9104, svc: 'assent.delivery.v1.DeliveryService' },
  notifier: { grpc: 50055, http: 9105, svc: 'assent.notifier.v1.NotifierService' },
};

/** Replicas per service are limited so that ports stay below the next block (9 → 50951, 9905). */
export const maxReplicas = 9;
const step = 100;

export interface Replica {
  service: ServiceName;
  index: number;
  /** Process name: the service for replica 0, `<service>-<i>` for the others (also the log file name). */
  name: string;
  grpc: number;
  http: number;
  /** gRPC health service name to wait for. */
  healthService: string;
}

export function replicasOf(service: ServiceName, replicas: number): Replica[] {
  const b = base[service];
  return Array.from({ length: replicas }, (_, i) => ({
    service,
    index: i,
    name: i === 0 ? service : `${service}-${i}`,
    grpc: b.grpc + step * i,
    http: b.http + step * i,
    healthService: b.svc,
  }));
}

/** The gRPC target reaching every replica: a plain host:port for one, an ipv4: list for several. */
export function grpcTarget(service: ServiceName, replicas: number): string {
  const addrs = replicasOf(service, replicas).map((r) => `127.0.0.1:${r.grpc}`);
  return addrs.length === 1 ? (addrs[0] as string) : `ipv4:${addrs.join(',')}`;
}

export function parseReplicas(value: string | undefined): number {
  const n = Number(value ?? '1');
  if (!Number.isInteger(n) || n < 1 || n > maxReplicas) throw new Error(`REPLICAS must be an integer 1..${maxReplicas}, got ${value}`);
  return n;
}
