import { NotFoundError, PermissionDeniedError, assertTenantAccess, hasRole, type Principal } from '@assent/platform/domain';
import type { ExportJob, Versioned } from './export-job.js';
import type { ExportDeps } from './export-ports.js';

/** Who may export a tenant's audit log and read its exports: its admins and auditors, and platform admins. */
const ROLES = ['admin', 'auditor'];

export function assertExportAccess(caller: Principal, tenant: string): void {
  if (hasRole(caller, 'platform-admin')) return;
  assertTenantAccess(caller, tenant);
  if (!ROLES.some((r) => hasRole(caller, r))) throw new PermissionDeniedError('audit exports need the admin or auditor role');
}

/**
 * The job `id` of `tenant`. An id that exists but is another tenant's is
 * PERMISSION_DENIED (ids are unguessable ULIDs handed out by CreateExport, so saying
 * so leaks nothing a caller could not already know).
 */
export async function tenantExport(deps: Pick<ExportDeps, 'jobs'>, caller: Principal, tenant: string, id: string): Promise<Versioned<ExportJob>> {
  assertExportAccess(caller, tenant);
  const found = await deps.jobs.get(id);
  if (!found) throw new NotFoundError('export', id, `export "${id}" does not exist (exports expire after seven days)`);
  if (found.value.tenant !== tenant) throw new PermissionDeniedError(`export "${id}" belongs to another tenant`);
  return found;
}
