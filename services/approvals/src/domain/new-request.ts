import { submissionTimers, wakeAt } from './schedule.js';
import { tierPins } from './request-tier.js';
import type { ApprovalRequest, Policy, ProtectionTier } from './types.js';

/**
 * A new PENDING request under `policy` at `now`: it pins the policy's requirements
 * (or, in a protection tier, the tier's), schedule and hash, and its first timers.
 * CreateRequest stores it; Simulate only runs its timers.
 */
export function newRequest(
  policy: Policy,
  /** grantDurationSeconds 0: the policy's default; extendsRequestId unset: not an extension; tier unset: none. */
  input: Pick<
    ApprovalRequest,
    'id' | 'tenant' | 'action' | 'resource' | 'requester' | 'justification' | 'parameters' | 'grantDurationSeconds' | 'effectiveAt' | 'previousRequestId' | 'attempt'
  > & { extendsRequestId?: string; tier?: ProtectionTier | undefined },
  now: Date,
): ApprovalRequest {
  const { tier, ...fields } = input;
  const draft: ApprovalRequest = {
    ...fields,
    state: 'PENDING',
    policyId: policy.id,
    policyHash: policy.hash,
    ...tierPins(policy, tier),
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
