import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where `make up` said the platform listens (.assent/targets.json); the single-replica defaults otherwise. */
export interface Targets {
  approvals: string;
  authz: string;
  audit: string;
  openfgaUrl: string;
  /** OpenFGA's preshared key file (`make up` writes .assent/openfga/preshared-key). */
  openfgaKeyFile: string;
}

export function readTargets(file: string): Targets {
  const fallback: Targets = {
    approvals: '127.0.0.1:50051',
    authz: '127.0.0.1:50052',
    audit: '127.0.0.1:50053',
    openfgaUrl: 'http://127.0.0.1:8080',
    openfgaKeyFile: join(dirname(file), 'openfga', 'preshared-key'),
  };
  if (!existsSync(file)) return fallback;
  const t = JSON.parse(readFileSync(file, 'utf8')) as { grpc?: Partial<Record<string, string>>; openfgaUrl?: string };
  return { ...fallback, approvals: t.grpc?.['approvals'] ?? fallback.approvals, authz: t.grpc?.['authz'] ?? fallback.authz, audit: t.grpc?.['audit'] ?? fallback.audit, openfgaUrl: t.openfgaUrl ?? fallback.openfgaUrl };
}
