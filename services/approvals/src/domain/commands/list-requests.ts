import { Violations, assertTenantAccess, patterns, requireTenantExists, type Principal } from '@assent/platform/domain';
import type { ApprovalsDeps } from '../ports.js';
import type { ApprovalRequest, RequestState } from '../types.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Newest first; the page token is the id of the last request returned; NOT_FOUND for a tenant that does not exist. */
export async function listRequests(
  deps: ApprovalsDeps,
  caller: Principal,
  input: { tenant: string; state: RequestState | undefined; pageSize: number; pageToken: string },
): Promise<{ requests: ApprovalRequest[]; nextPageToken: string }> {
  const v = new Violations().check('tenant', input.tenant, 'tenant');
  if (input.pageSize > MAX_PAGE_SIZE) v.add('page_size', `must be at most ${MAX_PAGE_SIZE}`);
  if (input.pageToken && !patterns.id.test(input.pageToken)) v.add('page_token', 'is not a token returned by ListRequests');
  v.throwIfAny();
  assertTenantAccess(caller, input.tenant);
  await requireTenantExists(deps.tenants, input.tenant);
  const page = await deps.requests.list(input.tenant, {
    state: input.state,
    limit: input.pageSize || DEFAULT_PAGE_SIZE,
    after: input.pageToken || undefined,
  });
  return { requests: page.requests, nextPageToken: page.next ?? '' };
}
