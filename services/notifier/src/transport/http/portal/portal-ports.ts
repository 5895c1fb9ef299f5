import type { approvalsv1 } from '@assent/proto';

/** A signed-in person's portal session, held server-side (the browser has only its random id). */
export interface PortalSession {
  /** The person's subject and tenant, as their access token names them (for display and URLs). */
  subject: string;
  tenant: string;
  name: string;
  /** The person's own access token: the portal calls approvals with it. */
  accessToken: string;
  /** For the provider's sign-out (id_token_hint). */
  idToken: string;
  /** The CSRF token every form of this session carries. */
  csrf: string;
  /** ms since epoch; never later than the access token's expiry. */
  expiresAt: number;
  /** The sign-in was strong (acr mfa or a second factor in amr), so a step-up may count. */
  strong: boolean;
}

/** A sign-in under way: what the callback must match (state, nonce) and prove (the PKCE verifier). */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** A path on this site to return to after sign-in. */
  returnTo: string;
}

/** Sessions and pending sign-ins, shared by every replica, each with an expiry. */
export interface PortalSessionStore {
  create(session: PortalSession): Promise<string>;
  get(id: string): Promise<PortalSession | undefined>;
  delete(id: string): Promise<void>;
  /** Keeps a pending sign-in under a random id (the browser's sign-in cookie) for a few minutes. */
  savePending(id: string, pending: PendingSignIn, ttlSeconds: number): Promise<void>;
  /** Reads and removes it: a callback is accepted once. */
  takePending(id: string): Promise<PendingSignIn | undefined>;
}

/** The OpenID provider, through the relying party. */
export interface SignInFlow {
  /** The provider's authorization URL for a new sign-in (PKCE S256, state, nonce), and what the callback must match. */
  start(returnTo: string, opts?: { strong?: boolean }): Promise<{ url: string; pending: PendingSignIn }>;
  /** Exchanges the callback's code (checking state, nonce and the ID token) for the person's session. */
  finish(callbackUrl: URL, pending: PendingSignIn): Promise<Omit<PortalSession, 'csrf'>>;
  /** Where to send the browser to end the provider's session too, if it says. */
  signOutUrl(idToken: string, returnTo: string): Promise<string | undefined>;
}

export type ApprovalRequest = approvalsv1.ApprovalRequest;

/** approvals, called with the signed-in person's own access token. */
export interface PortalApprovals {
  inbox(token: string, req: Omit<approvalsv1.ListInboxRequest, 'pageSize'> & { pageSize?: number }): Promise<approvalsv1.ListInboxResponse>;
  get(token: string, tenant: string, id: string): Promise<ApprovalRequest>;
  approve(token: string, req: approvalsv1.ApproveRequest): Promise<ApprovalRequest>;
  decline(token: string, req: approvalsv1.DeclineRequest): Promise<ApprovalRequest>;
  requestChanges(token: string, req: approvalsv1.RequestChangesRequest): Promise<ApprovalRequest>;
  comment(token: string, req: approvalsv1.CommentRequest): Promise<ApprovalRequest>;
  reassign(token: string, req: approvalsv1.ReassignRequest): Promise<ApprovalRequest>;
  snooze(token: string, req: approvalsv1.SnoozeRequest): Promise<ApprovalRequest>;
  bulk(token: string, req: approvalsv1.BulkActRequest): Promise<approvalsv1.BulkActResponse>;
}

/**
 * authz's step-up sessions, opened with the person's own token: a strong sign-in at the
 * provider (recent auth_time, acr/amr as authz requires) becomes a step-up session that
 * approvals honours for the window authz keeps it, like `assentctl authz step-up`.
 */
export interface PortalStepUps {
  /** Opens (or refreshes) the person's step-up session; throws what authz answered. */
  open(token: string, tenant: string): Promise<{ expiresAt: Date | undefined }>;
}
