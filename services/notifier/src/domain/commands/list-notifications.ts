import { Violations, assertTenantAccess, requireTenantExists, type Principal } from '@assent/platform/domain';
import type { NotifierDeps } from '../ports.js';
import type { Notification } from '../types.js';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

/** Newest first; users see their own tenant's notifications; NOT_FOUND for a tenant that does not exist. */
export async function listNotifications(
  deps: NotifierDeps,
  caller: Principal,
  input: { tenant: string; requestId: string; pageSize: number },
): Promise<Notification[]> {
  new Violations().check('tenant', input.tenant, 'tenant').check('request_id', input.requestId, 'id', false).throwIfAny();
  assertTenantAccess(caller, input.tenant);
  await requireTenantExists(deps.tenants, input.tenant);
  // Oversized pages are clamped rather than refused (AIP-158).
  const limit = input.pageSize > 0 ? Math.min(input.pageSize, MAX_PAGE) : DEFAULT_PAGE;
  return deps.notifications.list(input.tenant, { ...(input.requestId ? { requestId: input.requestId } : {}), limit });
}
