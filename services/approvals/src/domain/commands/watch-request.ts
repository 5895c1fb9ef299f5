import { NotFoundError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import type { ApprovalsDeps } from '../ports.js';
import type { ApprovalRequest } from '../types.js';

/** Nothing more happens to a request once it is declined, cancelled, expired, or approved with its grant written. */
export function isSettled(r: ApprovalRequest): boolean {
  return r.state === 'DECLINED' || r.state === 'CANCELLED' || r.state === 'EXPIRED' || (r.state === 'APPROVED' && r.grantExpiresAt !== undefined);
}

/**
 * The request now, then each later revision once and in order, so a caller can wait
 * for an outcome without polling. Same access rule as getRequest. The watch starts
 * after the revision just read, so a write between the read and the watch is not
 * missed; it ends once the request is settled or when `signal` aborts.
 */
export async function* watchRequest(
  deps: ApprovalsDeps,
  caller: Principal,
  input: { tenant: string; id: string },
  signal: AbortSignal,
): AsyncGenerator<ApprovalRequest, void, undefined> {
  new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id').throwIfAny();
  assertTenantAccess(caller, input.tenant);
  const stored = await deps.requests.get(input.tenant, input.id);
  if (!stored) throw new NotFoundError('request', input.id);
  yield stored.request;
  if (isSettled(stored.request)) return;
  for await (const next of deps.watcher.watch(input.tenant, input.id, stored.etag, signal)) {
    yield next.request;
    if (isSettled(next.request)) return;
  }
}
