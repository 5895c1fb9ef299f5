import { FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import { grantStart } from '../approval-effect.js';
import { actedData, eventTypes, requestedData } from '../events.js';
import { newRequest } from '../new-request.js';
import { MIN_GRANT_SECONDS } from '../policy-rules.js';
import type { ApprovalsDeps } from '../ports.js';
import type { ApprovalRequest } from '../types.js';
import { requireReason } from './decide-request.js';
import { transition } from './transition.js';

/** The grant's current length, and the longest it may become. */
function lengths(r: ApprovalRequest): { start: Date; seconds: number; cap: number } {
  const start = grantStart(r) as Date;
  return { start, seconds: Math.round(((r.grantExpiresAt as Date).getTime() - start.getTime()) / 1000), cap: r.maxGrantDurationSeconds || r.grantDurationSeconds };
}

/** FAILED_PRECONDITION unless the request has a grant running now. */
function requireActiveGrant(r: ApprovalRequest, now: Date): void {
  if (r.state === 'DEFERRED') throw new FailedPreconditionError(`the grant of request ${r.id} has not started yet`, 'NOT_STARTED');
  if (r.state !== 'APPROVED' || !r.grantExpiresAt || !grantStart(r)) throw new FailedPreconditionError(`request ${r.id} has no grant to extend`, 'NO_GRANT');
  if (r.grantClosed || r.grantExpiresAt <= now) throw new FailedPreconditionError(`the grant of request ${r.id} is over`, 'GRANT_CLOSED');
}

/**
 * The requester lengthens an active grant by `extendBySeconds`, never past the
 * policy's cap (measured from the grant's start). Where the request's policy lets
 * the requester extend, the grant is rewritten with the same start and the longer
 * window at once; where it needs approval, an extension request is opened (under
 * the action's policy in effect now, in the tier the grant was approved under,
 * linked to this one) and the grant grows only when it is approved.
 */
export async function extendGrant(
  deps: ApprovalsDeps,
  caller: Principal,
  input: { tenant: string; id: string; extendBySeconds: number; reason: string },
): Promise<{ request: ApprovalRequest; extensionRequest: ApprovalRequest | undefined }> {
  new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id').throwIfAny();
  if (!Number.isSafeInteger(input.extendBySeconds) || input.extendBySeconds < MIN_GRANT_SECONDS) {
    throw InvalidArgumentError.field('extend_by_seconds', `must be at least ${MIN_GRANT_SECONDS} seconds`);
  }
  const reason = requireReason('reason', input.reason);
  assertTenantAccess(caller, input.tenant);
  const check = (r: ApprovalRequest, now: Date) => {
    if (caller.subject !== r.requester) throw new PermissionDeniedError(`only the requester (${r.requester}) may extend the grant of request ${r.id}`);
    requireActiveGrant(r, now);
    const { seconds, cap } = lengths(r);
    if (seconds + input.extendBySeconds > cap) {
      throw InvalidArgumentError.field('extend_by_seconds', `must be at most ${Math.max(0, cap - seconds)}: policy ${r.policyId} caps a grant at ${cap} seconds`);
    }
  };
  const stored = await deps.requests.get(input.tenant, input.id);
  if (!stored) throw new NotFoundError('request', input.id);
  check(stored.request, deps.clock.now());

  if (!stored.request.extensionRequiresApproval) {
    const request = await transition(deps, input.tenant, input.id, async (current, now) => {
      check(current, now);
      return extended(deps, current, now, { seconds: input.extendBySeconds, reason, requestId: '', by: caller.subject });
    });
    return { request, extensionRequest: undefined };
  }

  const a = stored.request;
  const policy = await deps.policies.get(a.tenant, a.action);
  if (!policy) throw new NotFoundError('policy', a.action, `no policy for action "${a.action}" in tenant "${a.tenant}"`);
  // The grant is extended under the tier it was approved in, so that tier's approvers decide.
  const tier = a.tier ? policy.tiers.find((t) => t.name === a.tier) : undefined;
  if (a.tier && !tier) {
    throw new FailedPreconditionError(
      `the grant of request ${a.id} was approved under tier "${a.tier}", which policy ${policy.id} no longer has; the requester opens a new request instead`,
      'TIER_REMOVED',
    );
  }
  const now = deps.clock.now();
  const b = newRequest(
    policy,
    {
      id: deps.newId(),
      tenant: a.tenant,
      action: a.action,
      resource: a.resource,
      requester: a.requester,
      justification: reason,
      parameters: a.parameters,
      grantDurationSeconds: input.extendBySeconds,
      effectiveAt: undefined,
      previousRequestId: a.id,
      attempt: 1,
      extendsRequestId: a.id,
      tier,
    },
    now,
  );
  const event = deps.newEvent({ type: eventTypes.requested, subject: `request/${b.id}`, tenant: b.tenant, data: requestedData(b) });
  const created = await deps.requests.create(b, [event]);
  return { request: a, extensionRequest: created.request };
}

/** The step that rewrites the grant with the same start and a longer window, and records it. */
export async function extended(
  deps: ApprovalsDeps,
  current: ApprovalRequest,
  now: Date,
  x: { seconds: number; reason: string; requestId: string; by: string },
): Promise<{ next: ApprovalRequest; events: (n: ApprovalRequest) => ReturnType<ApprovalsDeps['newEvent']>[] }> {
  const { start, seconds, cap } = lengths(current);
  const total = Math.min(cap, seconds + x.seconds);
  const { expiresAt } = await deps.authz.writeGrant({
    tenant: current.tenant,
    principal: current.requester,
    action: current.action,
    resource: current.resource,
    durationSeconds: total,
    requestId: current.id,
    grantedAt: start,
    condition: current.tier,
  });
  const extension = { at: now, seconds: total - seconds, reason: x.reason, requestId: x.requestId, expiresAt };
  return {
    next: { ...current, grantExpiresAt: expiresAt, grantExtensions: [...current.grantExtensions, extension] },
    events: (n) => [deps.newEvent({ type: eventTypes.grantExtended, subject: `request/${n.id}`, tenant: n.tenant, data: actedData(n, x.by, x.reason) })],
  };
}

/**
 * Reaction to an approved extension request: extends the grant of the request it
 * names (once: the extension records the request's id) and records the outcome on
 * the extension request: the new end, or that the grant was already over.
 */
export async function applyExtension(deps: ApprovalsDeps, ext: ApprovalRequest): Promise<void> {
  const a = await transition(deps, ext.tenant, ext.extendsRequestId, async (current, now) => {
    if (current.grantExtensions.some((x) => x.requestId === ext.id)) return undefined;
    if (current.state !== 'APPROVED' || !current.grantExpiresAt || current.grantClosed || current.grantExpiresAt <= now) return undefined;
    return extended(deps, current, now, { seconds: ext.grantDurationSeconds, reason: ext.justification, requestId: ext.id, by: ext.requester });
  });
  const done = a.grantExtensions.find((x) => x.requestId === ext.id);
  await transition(deps, ext.tenant, ext.id, async (current, now) => {
    if (current.grantExpiresAt || current.grantClosed) return undefined;
    if (done) return { next: { ...current, grantStartsAt: grantStart(a), grantExpiresAt: done.expiresAt }, events: () => [] };
    const over = { kind: 'ended' as const, at: now, by: '', reason: `the grant of request ${a.id} was already over; nothing was extended` };
    return { next: { ...current, grantClosed: over }, events: () => [] };
  });
}
