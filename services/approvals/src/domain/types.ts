/** DEFERRED: approved, with an effect (the grant) that starts at `effectiveAt`. */
export type RequestState = 'PENDING' | 'CHANGES_REQUESTED' | 'APPROVED' | 'DEFERRED' | 'DECLINED' | 'CANCELLED' | 'EXPIRED';
/** What an approver (or the requester, for COMMENT) did on a request. */
export type Outcome = 'APPROVE' | 'DECLINE' | 'REQUEST_CHANGES' | 'COMMENT';
export type EscalationMode = 'ADD' | 'REPLACE';

/** A set of approvers of whom `quorum` must approve; a policy's requirements are ANDed. */
export interface Requirement {
  /** Label people see, e.g. "finance"; unique within the policy. */
  name: string;
  /** OpenFGA subjects: "user:bob", "group:finance#member". */
  approvers: string[];
  quorum: number;
}

/**
 * Conditional protection: a request whose parameters meet `when` (CEL, see
 * @assent/platform conditions) needs `requirements`. A policy's tiers are listed
 * strictest first; the first that holds is the request's tier.
 */
export interface ProtectionTier {
  /** Unique within the policy; also the name of the authz protection condition. */
  name: string;
  when: string;
  /** Empty: the policy's own requirements. */
  requirements: Requirement[];
}

/** After `afterSeconds` (from the previous tier, or from creation), ADD or REPLACE approvers of every unmet requirement. */
export interface EscalationTier {
  afterSeconds: number;
  approvers: string[];
  mode: EscalationMode;
}

/** Every timer a policy sets on its requests; pinned on each request at creation. */
export interface Schedule {
  /** SLA: the request is overdue this long after it was (re)submitted; 0 = none. */
  slaSeconds: number;
  /** Reminders to pending approvers at these offsets from submission, ascending. */
  reminderAfterSeconds: number[];
  /** After the last listed reminder, remind again this often; 0 = never. */
  reminderRepeatSeconds: number;
  escalation: EscalationTier[];
  /** After the last tier, continue at this tier (a loop); undefined = stop. */
  escalationLoopTo: number | undefined;
  /** The request expires this long after creation unless decided; 0 = never. */
  expireAfterSeconds: number;
}

/** A statement every approver ticks (by id) before approving. */
export interface Acknowledgement {
  id: string;
  text: string;
}

/** A JSON Schema document (draft 2020-12). */
export type JsonSchema = Record<string, unknown>;

export interface Policy {
  id: string;
  action: string;
  requirements: Requirement[];
  allowSelfApproval: boolean;
  requireJustification: boolean;
  grantDurationSeconds: number;
  slackChannel: string;
  schedule: Schedule;
  /** The requester may approve their own request in an emergency (see BreakGlass). */
  allowBreakGlass: boolean;
  acknowledgements: Acknowledgement[];
  /** Longest grant a request may ask for; 0 = grantDurationSeconds (also the default). */
  maxGrantDurationSeconds: number;
  /** What approvers may change: "grant_duration_seconds", "effective_at", "parameters.<name>". */
  approverEditable: string[];
  /** What a request's parameters must match; undefined = requests carry none. */
  parametersSchema: JsonSchema | undefined;
  /** After a decline, asking again for the same action and resource waits this long; 0 = none. */
  rerequestCooldownSeconds: number;
  /** Requests per requester, action and resource in 24 hours; 0 = unlimited. */
  maxRequestsPerDay: number;
  /** Extending an approved grant needs an approved extension request (else the requester extends it, up to the cap). */
  extensionRequiresApproval: boolean;
  /** Acting on a grant needs a step-up session (authz answers NEEDS_STEP_UP). */
  requireStepUpToAct: boolean;
  /** Approving needs a step-up session. */
  requireStepUpToApprove: boolean;
  /**
   * Conditional protection, strictest first: the action needs approval only when one
   * holds for the request's parameters (authz evaluates them on Check); empty = always.
   */
  tiers: ProtectionTier[];
  /** sha256 of the canonical policy document (everything above). */
  hash: string;
}

/** One applied version of a policy: who applied it and when. */
export interface PolicyRecord {
  policy: Policy;
  /** 1 for the first apply of the action's policy, +1 for every apply after it (even an unchanged one). */
  version: number;
  appliedBy: string;
  appliedAt: Date;
}

export interface Vote {
  approver: string;
  outcome: Outcome;
  comment: string;
  at: Date;
  /** The submission (1 = first, +1 per resubmit) the vote was made on. */
  submission: number;
  /** Names of the requirements the approver was eligible for when voting. */
  eligibleFor: string[];
  /** Acknowledgement ids ticked with the vote. */
  acknowledged: string[];
  /** Set when a delegate voted: the away approver whose eligibility and quorum slot it used. */
  onBehalfOf?: string;
  /** Set when a channel service (Slack, email, portal) acted for the approver. */
  via?: ActedVia;
}

/** The channel service that acted for a person, and where it verified them (Principal.via). */
export interface ActedVia {
  service: string;
  channel: 'slack' | 'email' | 'portal';
}

/** Out of office: `to` acts for `from` on requests `from` could approve, from startsAt until endsAt. */
export interface Delegation {
  id: string;
  from: string;
  to: string;
  startsAt: Date;
  endsAt: Date;
  reason: string;
  createdBy: string;
  createdAt: Date;
  ended: { at: Date; by: string } | undefined;
}

/** One lengthening of a grant: directly by the requester, or by an approved extension request. */
export interface GrantExtension {
  at: Date;
  seconds: number;
  reason: string;
  /** The extension request ('' when direct). */
  requestId: string;
  expiresAt: Date;
}

/** Per requester, action and resource: the latest request and when recent ones were opened. */
export interface Lineage {
  lastId: string;
  /** The request before `lastId` ('' when it was the first). */
  previousId: string;
  attempt: number;
  /** When requests were opened in the last 24 hours. */
  openedAt: Date[];
}

/** Every delegation one person gave (the unit stored with compare-and-set). */
export interface DelegationSet {
  tenant: string;
  user: string;
  delegations: Delegation[];
  /** +1 per change. */
  version: number;
}

/** Whether a delegation lets its delegate act at `at`. */
export const delegationActive = (d: Delegation, at: Date): boolean => !d.ended && d.startsAt <= at && at < d.endsAt;

/** One version of what the requester asked for (the first, then each resubmission). */
export interface Submission {
  number: number;
  justification: string;
  at: Date;
  /** '' when the requester submitted it; the approver whose edit opened it. */
  editedBy: string;
}

/** A field an approver changed (JSON values; null = unset). */
export interface ParameterChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** An approver's edit, made with their approval. */
export interface RequestEdit {
  by: string;
  at: Date;
  /** The submission it opened, or (an edit that only shortened the grant) the one it was made on. */
  submission: number;
  changes: ParameterChange[];
  reason: string;
}

/** One link of a request's handoff chain: `from` passed their part to `to`. */
export interface Handoff {
  from: string;
  to: string;
  at: Date;
  reason: string;
  /** The requirements it was passed for. */
  requirements: string[];
}

export type BreakGlassVerdict = 'ACCEPTED' | 'CONCERN';

/** The requester approved their own request in an emergency; an approver reviews it afterwards. */
export interface BreakGlass {
  at: Date;
  reason: string;
  review: { by: string; at: Date; verdict: BreakGlassVerdict; reason: string } | undefined;
}

/** An approver set this request aside until `until`; it returns to their pending inbox then. */
export interface Snooze {
  user: string;
  until: Date;
}

/** Progress of a request's timers; what is due next is derived from it (see domain/schedule.ts). */
export interface TimerState {
  submittedAt: Date;
  dueAt: Date | undefined;
  overdue: boolean;
  expiresAt: Date | undefined;
  remindersSent: number;
  nextReminderAt: Date | undefined;
  /** Escalation tiers applied so far on this request (a loop keeps counting). */
  escalations: number;
  nextEscalationAt: Date | undefined;
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
  /** Pinned from the policy at creation; escalation may change approvers. */
  requirements: Requirement[];
  allowSelfApproval: boolean;
  allowBreakGlass: boolean;
  /** The grant length asked for (or as an approver shortened it). */
  grantDurationSeconds: number;
  slackChannel: string;
  schedule: Schedule;
  /** Pinned from the policy. */
  acknowledgements: Acknowledgement[];
  approverEditable: string[];
  maxGrantDurationSeconds: number;
  parametersSchema: JsonSchema | undefined;
  /** What the requester asked for (matches parametersSchema). */
  parameters: Record<string, unknown>;
  /** The effect starts then (undefined: on approval); approved earlier → DEFERRED. */
  effectiveAt: Date | undefined;
  /** The grant's window starts here: the later of the decision and effectiveAt. */
  grantStartsAt: Date | undefined;
  edits: RequestEdit[];
  /** The requester's previous request for the same action and resource ('' for the first). */
  previousRequestId: string;
  /** 1 for the first request of its lineage, +1 per re-request. */
  attempt: number;
  /** An extension request: the approved request whose grant it extends ('' otherwise). */
  extendsRequestId: string;
  grantExtensions: GrantExtension[];
  /** Pinned from the policy. */
  extensionRequiresApproval: boolean;
  requireStepUpToApprove: boolean;
  /** The policy tier the request was opened under (authz's matched condition); '' when the policy has none. */
  tier: string;
  /**
   * Pinned with `tier`: the policy's tiers (name and condition) at creation, so an
   * approver's edit of the parameters is checked to stay in `tier`; [] without a tier.
   */
  tierConditions: { name: string; when: string }[];
  timers: TimerState;
  /** Earliest pending timer; the scheduler wakes the request then. */
  wakeAt: Date | undefined;
  submission: number;
  submissions: Submission[];
  votes: Vote[];
  snoozes: Snooze[];
  handoffs: Handoff[];
  breakGlass: BreakGlass | undefined;
  /** The grant is over: revoked early, or ended and removed at its end. */
  grantClosed: { kind: 'revoked' | 'ended'; at: Date; by: string; reason: string } | undefined;
  /** Who closed it (cancel, expiry = "system") and why. */
  closedBy: string;
  closeReason: string;
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
  /** The action's protection condition that held for the context (NEEDS_APPROVAL under a tier); undefined when it has none. */
  matchedCondition: { name: string; when: string } | undefined;
}

/** Every approver subject a request could ever need (all requirements, every protection tier's and escalation tiers). */
export function allApprovers(p: { requirements: Requirement[]; schedule: Schedule; tiers: ProtectionTier[] }): string[] {
  return [
    ...new Set([
      ...p.requirements.flatMap((r) => r.approvers),
      ...p.tiers.flatMap((t) => t.requirements.flatMap((r) => r.approvers)),
      ...p.schedule.escalation.flatMap((t) => t.approvers),
    ]),
  ];
}

export const isOpen = (s: RequestState): boolean => s === 'PENDING' || s === 'CHANGES_REQUESTED';

/** Approved, whether or not its effect has started. */
export const isApproved = (s: RequestState): boolean => s === 'APPROVED' || s === 'DEFERRED';
