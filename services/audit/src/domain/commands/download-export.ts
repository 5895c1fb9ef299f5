import { FailedPreconditionError, Violations, type Principal } from '@assent/platform/domain';
import { tenantExport } from '../export/export-access.js';
import type { ExportJob } from '../export/export-job.js';
import type { ExportDeps } from '../export/export-ports.js';

/**
 * A SUCCEEDED export's file as its chunks in order (DownloadExport). Access is
 * checked before the first chunk is read; the chunks stream from the store.
 */
export async function downloadExport(
  deps: Pick<ExportDeps, 'jobs' | 'files'>,
  caller: Principal,
  input: { tenant: string; exportId: string },
): Promise<{ job: ExportJob; chunks: AsyncIterable<Uint8Array> }> {
  const v = new Violations().check('tenant', input.tenant, 'tenant');
  if (!input.exportId) v.add('export_id', 'is required');
  else if (input.exportId.length > 64) v.add('export_id', 'must be at most 64 characters');
  v.throwIfAny();
  const { value: job } = await tenantExport(deps, caller, input.tenant, input.exportId);
  if (job.state !== 'SUCCEEDED') throw new FailedPreconditionError(`export "${job.id}" is ${job.state}, not SUCCEEDED: nothing to download yet`);
  return { job, chunks: deps.files.read({ tenant: job.tenant, id: job.id, attempt: job.attempt }) };
}
