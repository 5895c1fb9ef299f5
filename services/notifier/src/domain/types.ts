export type NotificationChannel = 'SLACK' | 'EMAIL';

/** A message sent to humans, recorded once per (event, destination). */
export interface Notification {
  /** Deterministic: derived from event id, channel and destination (see notificationId). */
  id: string;
  tenant: string;
  channel: NotificationChannel;
  /** Slack channel (as addressed: name or id) or email address. */
  destination: string;
  requestId: string;
  eventId: string;
  eventType: string;
  /** Slack: `<channel id>:<message ts>` of the message this notification posted. */
  providerRef: string;
  sentAt: Date;
}

/** A request's notifications as read at once; `revision` is the record's compare-and-set token (0: none yet). */
export interface RequestNotifications {
  tenant: string;
  requestId: string;
  /** In the order they were recorded. */
  notifications: Notification[];
  revision: number;
}

export type Outcome = 'APPROVE' | 'DECLINE';

/** What a notification shows of an approval request (from the event payload). */
export interface ApprovalRequestView {
  id: string;
  tenant: string;
  action: string;
  resource: string;
  requester: string;
  justification: string;
  policyId: string;
  /** Approvals needed (N of M). */
  quorum: number;
  approvers: string[];
  /** Votes cast so far (who, and for whom when a delegate voted). */
  votes: VoteView[];
  /** SLA due time, when the policy sets one. */
  dueAt: Date | undefined;
  /** Approving needs a step-up session, which no email or chat link can give. */
  requireStepUpToApprove: boolean;
  /** 'PENDING', 'APPROVED', 'DECLINED', 'CHANGES_REQUESTED', 'CANCELLED', 'EXPIRED', 'DEFERRED' (empty: unknown). */
  state?: string;
  /** Approver subjects still asked to act. */
  awaiting?: string[];
}

export interface VoteView {
  approver: string;
  /** 'APPROVE', 'DECLINE', 'REQUEST_CHANGES' or 'COMMENT'. */
  outcome: string;
  /** Set when `approver` voted as a delegate of this person. */
  onBehalfOf: string;
}

/** The event a command reacts to: its id makes the command idempotent. */
export interface EventRef {
  id: string;
  type: string;
}

/** What a notify command did, for logs and tests. */
export type NotifyResult =
  | { status: 'sent'; notifications: Notification[]; unreachable?: string[] }
  | { status: 'duplicate'; notifications: Notification[]; unreachable?: string[] }
  | { status: 'skipped'; reason: string };
