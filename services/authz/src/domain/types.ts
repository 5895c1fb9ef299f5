import type { NamedCondition } from '@assent/platform/domain';

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
  /** Performing it needs a step-up session. */
  stepUpToAct: boolean;
  /** Approving requests for it needs a step-up session. */
  stepUpToApprove: boolean;
  /**
   * Protect the action only when one of these holds for the request context; the
   * first that holds is the one that matched (list the strictest first). Empty: always.
   */
  conditions: NamedCondition[];
  /** 1 for the first registration, bumped by each one that changes the entry. */
  version: number;
}

/** A fresh strong sign-in, held for a window that slides with each sensitive action. */
export interface StepUpSession {
  principal: string;
  acr: string;
  amr: string[];
  authTime: Date;
  expiresAt: Date;
}

/** What a sign-in must show to open a step-up session, and how long one lasts. */
export interface StepUpRules {
  /** auth_time at most this old. */
  maxAgeSeconds: number;
  /** Accepted `acr` values; or */
  acr: readonly string[];
  /** accepted `amr` methods (any one). */
  amr: readonly string[];
  /** A session lasts this long after its last use. */
  windowSeconds: number;
}

export interface Grant {
  tenant: string;
  principal: string;
  action: string;
  resource: string;
  grantedAt: Date;
  expiresAt: Date;
  requestId: string;
  /** The protection condition it was approved under; "" when the action has none. */
  condition: string;
}

export interface CheckResult {
  decision: Decision;
  reason: string;
  modelId: string;
  policy: PolicyRef | undefined;
  grantExpiresAt: Date | undefined;
  decisionId: string;
  /** The protection condition that held, when the action has conditions and one did. */
  matchedCondition: NamedCondition | undefined;
}
