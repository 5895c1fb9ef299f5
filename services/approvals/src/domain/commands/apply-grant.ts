import { ConflictError } from '@assent/platform/domain';
import type { ApprovalsDeps } from '../ports.js';
import { grantStart } from '../approval-effect.js';
import { applyExtension } from './extend-grant.js';
import { wakeAt } from '../schedule.js';
import { isApproved } from '../types.js';

/**
 * Reaction to an approved request: writes the time-bounded grant through authz and
 * records its expiry on the request. Driven by the durable consumer of
 * assent.approval.decided.v1, so it is retried until it succeeds; both steps are
 * idempotent for a request.
 */
export async function applyGrant(deps: ApprovalsDeps, tenant: string, requestId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.requests.get(tenant, requestId);
    if (!stored) throw new Error(`request ${requestId} not found in tenant ${tenant}`);
    const r = stored.request;
    if (!isApproved(r.state) || r.grantExpiresAt || r.grantClosed) return;
    // An extension request lengthens the grant it names instead of writing its own.
    if (r.extendsRequestId) return applyExtension(deps, r);
    const { expiresAt } = await deps.authz.writeGrant({
      tenant,
      principal: r.requester,
      action: r.action,
      resource: r.resource,
      durationSeconds: r.grantDurationSeconds,
      requestId: r.id,
      // The window comes from the decision (or the deferred start), so a retry writes the identical grant.
      grantedAt: grantStart(r),
      // The tier it was approved under: the grant covers that tier and the laxer ones, never a stricter one.
      condition: r.tier,
    });
    try {
      const next = { ...r, grantExpiresAt: expiresAt, updatedAt: deps.clock.now(), version: r.version + 1 };
      // The grant's end is the request's last timer: the scheduler removes the grant then.
      await deps.requests.update({ ...next, wakeAt: wakeAt(next) }, stored.etag, []);
      return;
    } catch (err) {
      if (err instanceof ConflictError && attempt < 5) continue;
      throw err;
    }
  }
}
