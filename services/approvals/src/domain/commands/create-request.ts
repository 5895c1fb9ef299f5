import { AlreadyExistsError, ConflictError, FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import { eventTypes, requestedData } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import { recordAttempt } from '../lineage.js';
import { newRequest } from '../new-request.js';
import { tierOf } from '../request-tier.js';
import { checkEffectiveAt, checkGrantDuration, validateParameters } from '../request-parameters.js';
import type { ApprovalRequest, StoredRequest } from '../types.js';

export interface CreateRequestInput {
  tenant: string;
  action: string;
  resource: string;
  justification: string;
  idempotencyKey: string;
  /** Checked against the policy's parameters schema. */
  parameters?: Record<string, unknown> | undefined;
  /** 0 or unset: the policy's default. */
  grantDurationSeconds?: number;
  effectiveAt?: Date | undefined;
}

export type CreateRequestResult = { alreadyAllowed: true; reason: string } | { alreadyAllowed: false; request: ApprovalRequest; reason: string };

const MAX_JUSTIFICATION = 2000;

/**
 * Asks authz first, with the request's parameters as the Check context. ALLOW
 * (a grant, or below every protection tier of the policy): nothing to open. DENY:
 * refused with authz's reason. NEEDS_APPROVAL: opens a PENDING request under the
 * action's policy and emits assent.approval.requested.v1 in the same write. The
 * request pins the policy's requirements (in a tier: the tier authz matched, and
 * its requirements) and timers (and its hash): a later policy version applies to
 * requests created after it, never to this one.
 *
 * With an idempotency key, the key is bound once to a request id (for the key's
 * TTL) and never rebound, and the request is created under that id with a
 * compare-and-set (create fails if the id exists). So concurrent calls and retries
 * all act on one id: if a request exists under it, it is returned; otherwise the
 * caller creates it, and a caller that loses the race returns the winner's. A
 * crash or a publish timeout after binding is harmless: the retry finds the
 * request if the write landed and creates it under the same id if not, never a
 * second one. A keyed call that creates nothing (ALLOW, DENY, a bad field, no
 * policy) leaves the key bound to an id with no request; that is harmless, since a
 * later call with the key decides afresh and creates under that id. Reusing a key
 * for another requester, action or resource is refused (FAILED_PRECONDITION).
 */
export async function createRequest(deps: ApprovalsDeps, caller: Principal, input: CreateRequestInput): Promise<CreateRequestResult> {
  const v = new Violations().check('tenant', input.tenant, 'tenant').check('action', input.action, 'action').check('resource', input.resource, 'resource');
  if (input.justification.length > MAX_JUSTIFICATION) v.add('justification', `must be at most ${MAX_JUSTIFICATION} characters`);
  if (input.idempotencyKey && !/^[A-Za-z0-9._:-]{1,128}$/.test(input.idempotencyKey)) v.add('idempotency_key', 'must be 1-128 letters, digits, ".", "_", ":" or "-"');
  v.throwIfAny();
  assertTenantAccess(caller, input.tenant);
  if (caller.kind !== 'user') throw new PermissionDeniedError('requests are opened by users; services check with authz directly');

  const key = input.idempotencyKey;
  const id = key ? await deps.idempotency.bind(input.tenant, key, deps.newId()) : deps.newId();
  if (key) {
    const existing = await deps.requests.get(input.tenant, id);
    if (existing) return sameRequest(existing, caller.subject, input);
  }

  const parameters = input.parameters ?? {};
  const check = await deps.authz.check(input.tenant, caller.subject, input.action, input.resource, parameters).catch(contextIsParameters);
  if (check.decision === 'ALLOW') return { alreadyAllowed: true, reason: check.reason };
  if (check.decision === 'DENY') throw new PermissionDeniedError(check.reason);
  if (check.decision !== 'NEEDS_APPROVAL') throw new FailedPreconditionError(check.reason, check.decision);

  const policy = await deps.policies.get(input.tenant, input.action);
  if (!policy) throw new NotFoundError('policy', input.action, `no policy for action "${input.action}" in tenant "${input.tenant}"`);
  if (policy.requireJustification && !input.justification.trim()) {
    throw InvalidArgumentError.field('justification', `is required by policy ${policy.id}`);
  }
  const now = deps.clock.now();
  validateParameters(policy.parametersSchema, parameters, policy.id);
  if (input.grantDurationSeconds) checkGrantDuration('grant_duration_seconds', input.grantDurationSeconds, policy.maxGrantDurationSeconds || policy.grantDurationSeconds);
  if (input.effectiveAt) checkEffectiveAt('effective_at', input.effectiveAt, now);
  const tier = tierOf(policy, check.matchedCondition);
  const lineage = await recordAttempt(deps, { tenant: input.tenant, requester: caller.subject, action: input.action, resource: input.resource, id }, policy, now);
  const request = newRequest(
    policy,
    {
      id,
      tenant: input.tenant,
      action: input.action,
      resource: input.resource,
      requester: caller.subject,
      justification: input.justification.trim(),
      parameters,
      grantDurationSeconds: input.grantDurationSeconds ?? 0,
      effectiveAt: input.effectiveAt,
      ...lineage,
      tier,
    },
    now,
  );
  const event = deps.newEvent({ type: eventTypes.requested, subject: `request/${id}`, tenant: input.tenant, data: requestedData(request) });
  try {
    const stored = await deps.requests.create(request, [event]);
    return { alreadyAllowed: false, request: stored.request, reason: check.reason };
  } catch (err) {
    // Another call with the key (or our own earlier, timed-out attempt) created it first.
    if (!(key && err instanceof AlreadyExistsError)) throw err;
    const winner = await deps.requests.get(input.tenant, id);
    if (!winner) throw new ConflictError(`request ${id} was reported to exist but cannot be read; retry`);
    return sameRequest(winner, caller.subject, input);
  }
}

function sameRequest(stored: StoredRequest, requester: string, input: CreateRequestInput): CreateRequestResult {
  const r = stored.request;
  if (r.requester !== requester || r.action !== input.action || r.resource !== input.resource) {
    throw new FailedPreconditionError(`idempotency key "${input.idempotencyKey}" was used for another request`, 'IDEMPOTENCY_KEY_REUSED');
  }
  return { alreadyAllowed: false, request: r, reason: 'returned the request created earlier with this idempotency key' };
}

/** A context authz's conditions cannot decide is the request's parameters to the caller: same description, their field. */
function contextIsParameters(err: unknown): never {
  if (err instanceof InvalidArgumentError && err.violations.some((v) => v.field === 'context')) {
    throw new InvalidArgumentError(err.violations.map((v) => (v.field === 'context' ? { field: 'parameters', description: v.description } : v)));
  }
  throw err;
}
