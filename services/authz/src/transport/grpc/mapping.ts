import { authzv1 } from '@assent/proto';
import type { Decision, Grant, ProtectedAction, Tenant } from '../../domain/types.js';

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
});

export const toProtoGrant = (g: Grant): authzv1.Grant => ({ ...g });
