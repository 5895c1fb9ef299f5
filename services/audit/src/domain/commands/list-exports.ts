import { Violations, requireTenantExists, type Principal } from '@assent/platform/domain';
import { assertExportAccess } from '../export/export-access.js';
import type { ExportJob } from '../export/export-job.js';
import type { ExportDeps } from '../export/export-ports.js';

/** The tenant's export jobs, newest first (ListExports). */
export async function listExports(deps: Pick<ExportDeps, 'jobs' | 'tenants'>, caller: Principal, input: { tenant: string }): Promise<ExportJob[]> {
  new Violations().check('tenant', input.tenant, 'tenant').throwIfAny();
  assertExportAccess(caller, input.tenant);
  await requireTenantExists(deps.tenants, input.tenant);
  return deps.jobs.list(input.tenant);
}
