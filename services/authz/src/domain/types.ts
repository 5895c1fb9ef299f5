export type Decision = 'ALLOW' | 'DENY' | 'NEEDS_APPROVAL' | 'NEEDS_STEP_UP';

export interface PolicyRef {
  id: string;
  hash: string;
}

export interface Tenant {
  id: string;
  displayName: string;
  createdAt: Date;
}

export interface ProtectedAction {
  tenant: string;
  action: string;
  policy: PolicyRef;
  approvers: string[];
  updatedAt: Date;
}

export interface Grant {
  tenant: string;
  principal: string;
  action: string;
  resource: string;
  grantedAt: Date;
  expiresAt: Date;
  requestId: string;
}

export interface CheckResult {
  decision: Decision;
  reason: string;
  modelId: string;
  policy: PolicyRef | undefined;
  grantExpiresAt: Date | undefined;
  decisionId: string;
}
