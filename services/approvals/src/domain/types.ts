export type RequestState = 'PENDING' | 'APPROVED' | 'DECLINED';
export type Outcome = 'APPROVE' | 'DECLINE';

export interface Policy {
  id: string;
  action: string;
  /** OpenFGA subjects: "user:bob", "group:finance#member". */
  approvers: string[];
  quorum: number;
  allowSelfApproval: boolean;
  requireJustification: boolean;
  grantDurationSeconds: number;
  slackChannel: string;
  /** sha256 of the canonical policy document (everything above). */
  hash: string;
}

export interface Vote {
  approver: string;
  outcome: Outcome;
  comment: string;
  at: Date;
}

export interface ApprovalRequest {
  id: string;
  tenant: string;
  action: string;
  resource: string;
  requester: string;
  justification: string;
  state: RequestState;
  policyId: string;
  policyHash: string;
  approvers: string[];
  quorum: number;
  allowSelfApproval: boolean;
  grantDurationSeconds: number;
  slackChannel: string;
  votes: Vote[];
  createdAt: Date;
  updatedAt: Date;
  decidedAt: Date | undefined;
  grantExpiresAt: Date | undefined;
  /** Transition counter, 1 on creation; exposed to callers as `revision`. */
  version: number;
}

/** A stored request with the store's compare-and-set token. */
export interface StoredRequest {
  request: ApprovalRequest;
  etag: number;
}

export type CheckDecision = 'ALLOW' | 'DENY' | 'NEEDS_APPROVAL' | 'NEEDS_STEP_UP';

export interface CheckOutcome {
  decision: CheckDecision;
  reason: string;
  policy: { id: string; hash: string } | undefined;
}
