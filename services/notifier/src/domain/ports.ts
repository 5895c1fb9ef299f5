import type { TenantDirectory } from '@assent/platform/domain';
import type { SlackBlock } from './slack/blocks.js';
import type { InstallSlackRoute, SlackChannelDirectory } from './slack/slack-routes.js';
import type { ApprovalRequestView, Notification, Outcome, RequestNotifications } from './types.js';

export interface SlackMessage {
  /** Channel name or id for posts; the id (from a post's reply) for updates. */
  channel: string;
  /** Plain fallback shown in notifications and by clients without Block Kit. */
  text: string;
  blocks?: SlackBlock[];
  /** Posts as a reply in this message's thread. */
  threadTs?: string;
}

/** Slack Web API (adapters/slack) or its twin (adapters/memory). Throws DeliveryRejectedError / DeliveryRetryableError. */
export interface SlackGateway {
  /** Posts a message; answers the channel id and the message ts. */
  postMessage(message: SlackMessage): Promise<{ channel: string; ts: string }>;
  /** Replaces the text and blocks of the message at `ts`. */
  updateMessage(message: SlackMessage & { ts: string }): Promise<{ channel: string; ts: string }>;
  /** The direct-message channel with a Slack user (conversations.open); answers its id. */
  openDirectMessage(user: string): Promise<string>;
}

/**
 * Notifications kept per request, all of a request's under one record, so the event
 * path reads once and writes once per message it sends (no key listing).
 */
export interface NotificationRepository {
  /** Every notification about one request, from one read. */
  forRequest(tenant: string, requestId: string): Promise<RequestNotifications>;
  /**
   * Records a notification with the others of its request. If one with its id is
   * already recorded, that one is kept and `added` is false. `basis` (a snapshot of
   * this request read earlier) saves a read while it is still current; a stale one
   * costs a re-read, never a lost record. Answers the request's record after the call.
   */
  add(notification: Notification, basis?: RequestNotifications): Promise<{ added: boolean; record: RequestNotifications }>;
  /** Newest first (by sentAt, then id), optionally only about one request. */
  list(tenant: string, opts: { requestId?: string; limit: number }): Promise<Notification[]>;
}

/** One email to one person; `messageId` is deterministic so a resent copy is recognisably the same message. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

/** SMTP (adapters/smtp) or its twin (adapters/memory). Throws DeliveryRejectedError / DeliveryRetryableError. */
export interface Mailer {
  /** Sends one message; answers the Message-ID it was sent with. */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/** Where each person of a tenant receives email (a per-tenant principal → address map). */
export interface EmailDirectory {
  addressOf(tenant: string, principal: string): Promise<string | undefined>;
  set(tenant: string, principal: string, address: string): Promise<void>;
  /** Answers false when the person had no address. */
  remove(tenant: string, principal: string): Promise<boolean>;
  /** The tenant's entries, by principal. */
  list(tenant: string): Promise<{ principal: string; address: string }[]>;
}

/** What an email link (and the session it is exchanged for) stands for: one person, one request. */
export interface EmailLinkClaims {
  tenant: string;
  requestId: string;
  principal: string;
  /** The link's id: the single-use guard is keyed by it. */
  linkId: string;
  /** When the link stops working. */
  expiresAt: Date;
}

/** Signs and checks email links and sessions. Verification failures throw EmailLinkError. */
export interface LinkTokens {
  issueLink(claims: EmailLinkClaims): Promise<string>;
  verifyLink(token: string, now: Date): Promise<EmailLinkClaims>;
  /** A short session for the confirmation page, carrying the link's claims; ends at `until`. */
  issueSession(claims: EmailLinkClaims, until: Date): Promise<string>;
  verifySession(token: string, now: Date): Promise<EmailLinkClaims>;
  /** The form token bound to a session's link (synchronizer token). */
  csrfToken(claims: EmailLinkClaims): string;
  csrfValid(claims: EmailLinkClaims, token: string): boolean;
}

/** The single-use guard of email links, shared by every replica (Redis). */
export interface LinkGuard {
  used(tenant: string, linkId: string): Promise<boolean>;
  /** Marks the link used until `until`; answers false when it already was (another submit won). */
  claim(tenant: string, linkId: string, until: Date): Promise<boolean>;
  /** Gives the link back after an attempt that changed nothing. */
  release(tenant: string, linkId: string): Promise<void>;
}

/** A request as the person acting by email may see it. */
export interface RequestForApprover {
  request: ApprovalRequestView;
  /** 'PENDING', 'APPROVED', 'DECLINED', 'CHANGES_REQUESTED', 'CANCELLED', 'EXPIRED' or 'DEFERRED'. */
  state: string;
  /** Statements an approver must tick to approve. */
  acknowledgements: { id: string; text: string }[];
}

export interface ActingPerson {
  tenant: string;
  principal: string;
}

/**
 * approvals over gRPC, called for a person the notifier verified itself (the email
 * link): the call is theirs, not the notifier's. Throws the platform's domain
 * errors (NotFoundError, PermissionDeniedError, FailedPreconditionError, UnavailableError…).
 */
export interface ApprovalsGateway {
  getRequest(person: ActingPerson, requestId: string): Promise<RequestForApprover>;
  /** `acknowledged`: the acknowledgement ids the person ticked (approvals requires all of them to approve). */
  decide(person: ActingPerson, requestId: string, decision: Outcome, reason: string, acknowledged: string[]): Promise<RequestForApprover>;
}

/** What the email confirmation pages need. */
export interface EmailPagesDeps {
  links: LinkTokens;
  guard: LinkGuard;
  approvals: ApprovalsGateway;
  clock: Clock;
  portalBaseUrl: string;
}

/** The email channel: absent when SMTP is not configured. */
/** Who is in a tenant's group (authz ListGroupMembers): group approvers are emailed one by one. */
export interface GroupMembers {
  /** Every member; throws when authz cannot answer (the event is then retried). */
  membersOf(tenant: string, group: string): Promise<string[]>;
}

export interface EmailChannel {
  mailer: Mailer;
  directory: EmailDirectory;
  /** Absent: group approvers are not emailed (named in the result as unreachable). */
  groups?: GroupMembers | undefined;
  links: LinkTokens;
  /** Base of the notifier's public HTTP address: links are `${publicBaseUrl}/email/open?token=…`. */
  publicBaseUrl: string;
  linkTtlSeconds: number;
}

export interface Clock {
  now(): Date;
}

export interface NotifierDeps {
  /** Undefined when Slack is not configured: Slack notifications are skipped, not failed. */
  slack: SlackGateway | undefined;
  notifications: NotificationRepository;
  clock: Clock;
  /** The deploy-time routing of a single-tenant install (one tenant, only while it has no record). */
  slackInstall: InstallSlackRoute;
  /** Per-tenant allowed channels: a tenant's messages go only to its own channels. */
  slackChannels?: SlackChannelDirectory | undefined;
  /** The tenant's Slack user of a principal, to tell a requester the outcome directly. */
  slackUsers?: { slackUserOf(tenant: string, principal: string): Promise<string | undefined> } | undefined;
  /** e.g. https://assent.example.com; links are `${portalBaseUrl}/requests/<tenant>/<id>`. */
  portalBaseUrl: string;
  /** Which tenants exist: listing another's notifications is NOT_FOUND. */
  tenants: TenantDirectory;
  /** Undefined when SMTP is not configured: emails are skipped, not failed. */
  email?: EmailChannel | undefined;
}
