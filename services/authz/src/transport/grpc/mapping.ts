import { authzv1 } from '@assent/proto';
import type { CheckResult, StepUpSession, Decision, Grant, ProtectedAction, Tenant } from '../../domain/types.js';

const decisions: Record<Decision, authzv1.Decision> = {
  ALLOW: authzv1.Decision.DECISION_ALLOW,
  DENY: authzv1.Decision.DECISION_DENY,
  NEEDS_APPROVAL: authzv1.Decision.DECISION_NEEDS_APPROVAL,
  NEEDS_STEP_UP: authzv1.Decision.DECISION_NEEDS_STEP_UP,
};

export const toProtoDecision = (d: Decision): authzv1.Decision => decisions[d];

export const toProtoTenant = (t: Tenant): authzv1.Tenant => ({ id: t.id, displayName: t.displayName, createdAt: t.createdAt });

export const toProtoAction = (a: ProtectedAction): authzv1.ProtectedAction => ({
  tenant: a.tenant,
  action: a.action,
  policy: { ...a.policy },
  approvers: [...a.approvers],
  updatedAt: a.updatedAt,
  stepUpToAct: a.stepUpToAct,
  stepUpToApprove: a.stepUpToApprove,
  conditions: a.conditions.map((c) => ({ ...c })),
  version: a.version,
});

/** CheckRequest.consistency in the domain's words. */
export const fromProtoConsistency = (c: authzv1.Consistency): 'DEFAULT' | 'FULL' => (c === authzv1.Consistency.CONSISTENCY_FULL ? 'FULL' : 'DEFAULT');

export const toProtoStepUp = (s: StepUpSession): authzv1.StepUpSession => ({ ...s, amr: [...s.amr] });

export const toProtoGrant = (g: Grant): authzv1.Grant => ({ ...g });

export const toProtoCheck = (r: CheckResult): authzv1.CheckResponse => ({
  decision: toProtoDecision(r.decision),
  reason: r.reason,
  modelId: r.modelId,
  policy: r.policy,
  grantExpiresAt: r.grantExpiresAt,
  decisionId: r.decisionId,
  matchedCondition: r.matchedCondition,
});
