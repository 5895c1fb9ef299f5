import { Violations, type Principal } from '@assent/platform/domain';
import { tenantExport } from '../export/export-access.js';
import type { ExportJob } from '../export/export-job.js';
import type { ExportDeps } from '../export/export-ports.js';

/** A job's state and progress (GetExport); another tenant's is PERMISSION_DENIED. */
export async function getExport(deps: Pick<ExportDeps, 'jobs'>, caller: Principal, input: { tenant: string; exportId: string }): Promise<ExportJob> {
  const v = new Violations().check('tenant', input.tenant, 'tenant');
  if (!input.exportId) v.add('export_id', 'is required');
  else if (input.exportId.length > 64) v.add('export_id', 'must be at most 64 characters');
  v.throwIfAny();
  return (await tenantExport(deps, caller, input.tenant, input.exportId)).value;
}
