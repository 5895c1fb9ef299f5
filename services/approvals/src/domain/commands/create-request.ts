import { FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import { eventTypes, requestedData } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import type { ApprovalRequest } from '../types.js';

export interface CreateRequestInput {
  tenant: string;
  action: string;
  resource: string;
  justification: string;
  idempotencyKey: string;
}

export type CreateRequestResult = { alreadyAllowed: true; reason: string } | { alreadyAllowed: false; request: ApprovalRequest; reason: string };

const MAX_JUSTIFICATION = 2000;

/**
 * Asks authz first. ALLOW: nothing to open. DENY: refused with authz's reason.
 * NEEDS_APPROVAL: opens a PENDING request under the action's policy and emits
 * assent.approval.requested.v1 in the same write.
 */
export async function createRequest(deps: ApprovalsDeps, caller: Principal, input: CreateRequestInput): Promise<CreateRequestResult> {
  const v = new Violations().check('tenant', input.tenant, 'tenant').check('action', input.action, 'action').check('resource', input.resource, 'resource');
  if (input.justification.length > MAX_JUSTIFICATION) v.add('justification', `must be at most ${MAX_JUSTIFICATION} characters`);
  if (input.idempotencyKey && !/^[A-Za-z0-9._:-]{1,128}$/.test(input.idempotencyKey)) v.add('idempotency_key', 'must be 1-128 letters, digits, ".", "_", ":" or "-"');
  v.throwIfAny();
  assertTenantAccess(caller, input.tenant);
  if (caller.kind !== 'user') throw new PermissionDeniedError('requests are opened by users; services check with authz directly');

  const id = deps.newId();
  if (input.idempotencyKey) {
    const existing = await deps.idempotency.claim(input.tenant, input.idempotencyKey, id);
    if (existing) {
      const stored = await deps.requests.get(input.tenant, existing);
      if (stored) return { alreadyAllowed: false, request: stored.request, reason: 'returned the request created earlier with this idempotency key' };
    }
  }
  try {
    const check = await deps.authz.check(input.tenant, caller.subject, input.action, input.resource);
    if (check.decision === 'ALLOW') return { alreadyAllowed: true, reason: check.reason };
    if (check.decision === 'DENY') throw new PermissionDeniedError(check.reason);
    if (check.decision !== 'NEEDS_APPROVAL') throw new FailedPreconditionError(check.reason, check.decision);

    const policy = await deps.policies.get(input.tenant, input.action);
    if (!policy) throw new NotFoundError('policy', input.action, `no policy for action "${input.action}" in tenant "${input.tenant}"`);
    if (policy.requireJustification && !input.justification.trim()) {
      throw InvalidArgumentError.field('justification', `is required by policy ${policy.id}`);
    }
    const now = deps.clock.now();
    const request: ApprovalRequest = {
      id,
      tenant: input.tenant,
      action: input.action,
      resource: input.resource,
      requester: caller.subject,
      justification: input.justification.trim(),
      state: 'PENDING',
      policyId: policy.id,
      policyHash: policy.hash,
      approvers: [...policy.approvers],
      quorum: policy.quorum,
      allowSelfApproval: policy.allowSelfApproval,
      grantDurationSeconds: policy.grantDurationSeconds,
      slackChannel: policy.slackChannel,
      votes: [],
      createdAt: now,
      updatedAt: now,
      decidedAt: undefined,
      grantExpiresAt: undefined,
      version: 1,
    };
    const event = deps.newEvent({ type: eventTypes.requested, subject: `request/${id}`, tenant: input.tenant, data: requestedData(request) });
    const stored = await deps.requests.create(request, [event]);
    return { alreadyAllowed: false, request: stored.request, reason: check.reason };
  } catch (err) {
    // Nothing was created: free the key so a corrected retry is not answered with a missing request.
    if (input.idempotencyKey) await deps.idempotency.release(input.tenant, input.idempotencyKey).catch(() => undefined);
    throw err;
  }
}
