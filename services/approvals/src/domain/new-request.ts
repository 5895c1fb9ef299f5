import { submissionTimers, wakeAt } from './schedule.js';
import type { ApprovalRequest, Policy } from './types.js';

/**
 * A new PENDING request under `policy` at `now`: it pins the policy's requirements,
 * schedule and hash, and its first timers. CreateRequest stores it; Simulate only
 * runs its timers.
 */
export function newRequest(
  policy: Policy,
  /** grantDurationSeconds 0: the policy's default; extendsRequestId unset: not an extension. */
  input: Pick<
    ApprovalRequest,
    'id' | 'tenant' | 'action' | 'resource' | 'requester' | 'justification' | 'parameters' | 'grantDurationSeconds' | 'effectiveAt' | 'previousRequestId' | 'attempt'
  > & { extendsRequestId?: string },
  now: Date,
): ApprovalRequest {
  const draft: ApprovalRequest = {
    ...input,
    state: 'PENDING',
    policyId: policy.id,
    policyHash: policy.hash,
    requirements: structuredClone(policy.requirements),
    allowSelfApproval: policy.allowSelfApproval,
    allowBreakGlass: policy.allowBreakGlass,
    grantDurationSeconds: input.grantDurationSeconds || policy.grantDurationSeconds,
    slackChannel: policy.slackChannel,
    schedule: structuredClone(policy.schedule),
    acknowledgements: structuredClone(policy.acknowledgements),
    approverEditable: [...policy.approverEditable],
    maxGrantDurationSeconds: policy.maxGrantDurationSeconds || policy.grantDurationSeconds,
    parametersSchema: policy.parametersSchema && structuredClone(policy.parametersSchema),
    grantStartsAt: undefined,
    edits: [],
    extendsRequestId: input.extendsRequestId ?? '',
    grantExtensions: [],
    extensionRequiresApproval: policy.extensionRequiresApproval,
    requireStepUpToApprove: policy.requireStepUpToApprove,
    timers: submissionTimers(policy.schedule, now, now, undefined),
    wakeAt: undefined,
    submission: 1,
    submissions: [{ number: 1, justification: input.justification, at: now, editedBy: '' }],
    votes: [],
    snoozes: [],
    handoffs: [],
    breakGlass: undefined,
    grantClosed: undefined,
    closedBy: '',
    closeReason: '',
    createdAt: now,
    updatedAt: now,
    decidedAt: undefined,
    grantExpiresAt: undefined,
    version: 1,
  };
  return { ...draft, wakeAt: wakeAt(draft) };
}
