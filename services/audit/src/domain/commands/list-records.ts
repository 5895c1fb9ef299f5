import { Violations, assertTenantAccess, requireTenantExists, type Principal } from '@assent/platform/domain';
import { decodePageToken, encodePageToken } from '../page-token.js';
import type { AuditDeps } from '../ports.js';
import type { AuditRecord, RecordFilters } from '../types.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface ListRecordsInput {
  tenant: string;
  /** "" = any. */
  eventType: string;
  /** "" = any. */
  subject: string;
  /** 0 = default; larger than the maximum is capped (AIP-158). */
  pageSize: number;
  pageToken: string;
}

/** A page of the tenant's records, oldest first; NOT_FOUND for a tenant that does not exist. */
export async function listRecords(deps: AuditDeps, caller: Principal, input: ListRecordsInput): Promise<{ records: AuditRecord[]; nextPageToken: string }> {
  const v = new Violations().check('tenant', input.tenant, 'tenant');
  if (input.eventType.length > 256) v.add('event_type', 'must be at most 256 characters');
  if (input.subject.length > 512) v.add('subject', 'must be at most 512 characters');
  if (!Number.isInteger(input.pageSize) || input.pageSize < 0) v.add('page_size', 'must not be negative');
  v.throwIfAny();
  assertTenantAccess(caller, input.tenant);
  await requireTenantExists(deps.tenants, input.tenant);

  const filters: RecordFilters = { eventType: input.eventType || undefined, subject: input.subject || undefined };
  const after = decodePageToken(input.pageToken, input.tenant, filters);
  const limit = Math.min(input.pageSize || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const page = await deps.log.list(input.tenant, after, limit, filters);
  return {
    records: page.records,
    nextPageToken: page.next === undefined ? '' : encodePageToken(page.next, input.tenant, filters),
  };
}
