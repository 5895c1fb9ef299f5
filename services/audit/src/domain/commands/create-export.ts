import { Violations, requireTenantExists, type Principal } from '@assent/platform/domain';
import { assertExportAccess } from '../export/export-access.js';
import { exportFormats, pendingExportJob, type ExportFilters, type ExportFormat, type ExportJob } from '../export/export-job.js';
import type { ExportDeps } from '../export/export-ports.js';

export interface CreateExportInput {
  tenant: string;
  /** undefined when the caller named none or an unknown one. */
  format: ExportFormat | undefined;
  eventType: string;
  subject: string;
  recordedAfter: Date | undefined;
  recordedBefore: Date | undefined;
}

/** Stores a PENDING export job (CreateExport); a worker on some replica runs it. */
export async function createExport(deps: ExportDeps, caller: Principal, input: CreateExportInput): Promise<ExportJob> {
  const v = new Violations().check('tenant', input.tenant, 'tenant');
  if (!input.format || !exportFormats.includes(input.format)) v.add('format', `must be one of ${exportFormats.map((f) => `EXPORT_FORMAT_${f}`).join(', ')}`);
  if (input.eventType.length > 256) v.add('event_type', 'must be at most 256 characters');
  if (input.subject.length > 512) v.add('subject', 'must be at most 512 characters');
  if (input.recordedAfter && Number.isNaN(input.recordedAfter.getTime())) v.add('recorded_after', 'must be a valid timestamp');
  if (input.recordedBefore && Number.isNaN(input.recordedBefore.getTime())) v.add('recorded_before', 'must be a valid timestamp');
  if (input.recordedAfter && input.recordedBefore && input.recordedBefore <= input.recordedAfter) v.add('recorded_before', 'must be after recorded_after');
  v.throwIfAny();
  assertExportAccess(caller, input.tenant);
  await requireTenantExists(deps.tenants, input.tenant);

  const filters: ExportFilters = {
    eventType: input.eventType || undefined,
    subject: input.subject || undefined,
    recordedAfter: input.recordedAfter,
    recordedBefore: input.recordedBefore,
  };
  const job = pendingExportJob({ id: deps.newId(), tenant: input.tenant, format: input.format as ExportFormat, filters, createdBy: caller.subject }, deps.clock.now());
  await deps.jobs.create(job);
  return job;
}
