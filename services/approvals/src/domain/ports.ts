import type { TenantDirectory } from '@assent/platform/domain';
import type { AssentEvent } from '@assent/platform/domain';
import type { ApprovalRequest, CheckOutcome, Delegation, DelegationSet, Lineage, Policy, PolicyRecord, RequestState, StoredRequest } from './types.js';

/**
 * Policies: each apply is a compare-and-set write of a new version with its event
 * (the same state + outbox path as requests); a reaction then puts it in effect
 * (authz registration, then the read model `get` serves).
 */
export interface PolicyRepository {
  /** The policy in effect for an action. */
  get(tenant: string, action: string): Promise<Policy | undefined>;
  /** The latest stored version and its compare-and-set token. */
  head(tenant: string, action: string): Promise<{ record: PolicyRecord; etag: number } | undefined>;
  /** Stores a new version; ConflictError if another apply came first (etag 0: the first version). */
  save(tenant: string, record: PolicyRecord, etag: number, events: AssentEvent[]): Promise<void>;
  /** The reaction's last step: the version becomes the one `get` returns (an older one never replaces a newer). */
  activate(tenant: string, record: PolicyRecord): Promise<void>;
  /** Whether `version` is in effect within `timeoutMs`. */
  waitActive(tenant: string, action: string, version: number, timeoutMs: number): Promise<boolean>;
}

/**
 * Requests with their events: a write stores the new state and the transition's
 * events together, and fails with ConflictError if someone else wrote first.
 */
export interface RequestRepository {
  get(tenant: string, id: string): Promise<StoredRequest | undefined>;
  create(request: ApprovalRequest, events: AssentEvent[]): Promise<StoredRequest>;
  update(request: ApprovalRequest, etag: number, events: AssentEvent[]): Promise<StoredRequest>;
  /** Newest first; `after` is the id the previous page ended with. */
  list(tenant: string, opts: { state: RequestState | undefined; limit: number; after: string | undefined }): Promise<{ requests: ApprovalRequest[]; next: string | undefined }>;
}

/**
 * Revisions of one request as they are written, pushed (never polled): every
 * revision with an etag greater than `afterEtag` is yielded once, in order,
 * including any written before the call, and a write that lost its
 * compare-and-set is never yielded. Ends when `signal` aborts.
 */
export interface RequestWatcher {
  watch(tenant: string, id: string, afterEtag: number, signal: AbortSignal): AsyncIterable<StoredRequest>;
}

export type InboxTab = 'pending' | 'snoozed' | 'done';

/** A position in an inbox index: entries sort by score, then id. */
export interface InboxEntry {
  score: number;
  id: string;
}

/**
 * The inbox projection (Redis; rebuildable from the state stream): per approver
 * subject the pending requests by due time, per person what they snoozed (by return
 * time) and what they acted on (newest first, the last 1,000). Written from the
 * request relay in each request's transition order.
 */
export interface InboxIndex {
  /** Files the request's current state under every inbox it belongs in, and out of the others. Idempotent. */
  project(r: ApprovalRequest): Promise<void>;
  /**
   * Entries after `after`, ascending, at most `limit`: for `pending` merged over the
   * given subjects ("user:bob", "group:finance#member"); for the others `keys` is the person.
   */
  page(tenant: string, tab: InboxTab, keys: string[], after: InboxEntry | undefined, limit: number): Promise<InboxEntry[]>;
}

/**
 * Delegations, per person who gives them: each change is a compare-and-set write
 * of the person's set with its event (state + outbox, like policies); a reaction
 * puts it in the read model that `received` serves from memory on every replica.
 */
export interface DelegationRepository {
  head(tenant: string, user: string): Promise<{ set: DelegationSet; etag: number } | undefined>;
  /** ConflictError if another change came first (etag 0: the person's first). */
  save(set: DelegationSet, etag: number, events: AssentEvent[]): Promise<void>;
  /** The reaction: the set becomes what `received` reads (an older never replaces a newer). */
  activate(set: DelegationSet): Promise<void>;
  /** Delegations given to `user`, as the read model has them. */
  received(tenant: string, user: string): Promise<Delegation[]>;
}

/**
 * Lineage of re-requests, per (requester, action, resource) key: JetStream KV with
 * compare-and-set, so two concurrent requests for the same thing serialize.
 */
export interface LineageIndex {
  get(tenant: string, key: string): Promise<{ lineage: Lineage; etag: number } | undefined>;
  /** ConflictError if it changed since `etag` (0: it must not exist yet). */
  save(tenant: string, key: string, lineage: Lineage, etag: number): Promise<void>;
}

/** The authz service, as approvals needs it. */
export interface AuthzGateway {
  /**
   * The decision for the principal; `context` (a request's parameters) is what the
   * action's protection conditions are evaluated against, and the one that held comes
   * back as `matchedCondition`. A context a condition cannot decide is
   * INVALID_ARGUMENT on field `context`.
   */
  check(tenant: string, principal: string, action: string, resource: string, context?: Record<string, unknown>): Promise<CheckOutcome>;
  /**
   * Which of `subjects` include the principal (a member of the tenant): "user:<id>"
   * by id, "group:<id>#member" (the tenant's group) by membership now.
   */
  matchApprover(tenant: string, principal: string, action: string, subjects: string[]): Promise<string[]>;
  /** The tenant's groups the user is in (ids). */
  groupsOf(tenant: string, user: string): Promise<string[]>;
  /** Up to `limit` members of the tenant's group, and whether there are more. */
  groupMembers(tenant: string, group: string, limit: number): Promise<{ users: string[]; truncated: boolean }>;
  registerProtectedAction(
    tenant: string,
    action: string,
    policy: { id: string; hash: string },
    approvers: string[],
    stepUp: { toAct: boolean; toApprove: boolean },
    /** Protect the action only when one holds (strictest first); [] = always. */
    conditions: { name: string; when: string }[],
  ): Promise<void>;
  /** Whether the person holds a step-up session now (asking slides it). */
  stepUpActive(tenant: string, principal: string): Promise<{ active: boolean; requirement: string }>;
  /**
   * `grantedAt` starts the window (the decision time), so a retry writes the same grant.
   * `condition`: the request's tier ('' for none); the grant covers that tier and the laxer ones after it.
   */
  writeGrant(input: {
    tenant: string;
    principal: string;
    action: string;
    resource: string;
    durationSeconds: number;
    requestId: string;
    grantedAt: Date | undefined;
    condition: string;
  }): Promise<{ expiresAt: Date }>;
  /** Removes this request's grant (only the one that started at `grantedAt`, under `condition`); idempotent. */
  removeGrant(input: {
    tenant: string;
    principal: string;
    action: string;
    resource: string;
    requestId: string;
    grantedAt: Date;
    expiresAt: Date;
    why: 'revoked' | 'ended';
    revokedBy: string;
    reason: string;
    condition: string;
  }): Promise<void>;
}

/**
 * Binds a caller-supplied idempotency key to one request id for the key's lifetime
 * (short-lived, Redis). A binding is never moved or released, so every call with
 * the key, concurrent or a retry after a crash, works on the same id.
 */
export interface IdempotencyStore {
  /** Binds `id` if the key is unbound; returns the id bound to the key (`id` or an earlier one). */
  bind(tenant: string, key: string, id: string): Promise<string>;
}

export interface EventSink {
  emit(event: AssentEvent): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface ApprovalsDeps {
  policies: PolicyRepository;
  requests: RequestRepository;
  delegations: DelegationRepository;
  lineage: LineageIndex;
  watcher: RequestWatcher;
  authz: AuthzGateway;
  idempotency: IdempotencyStore;
  inbox: InboxIndex;
  /** For events that are not part of a transition (refused votes). */
  events: EventSink;
  newEvent<T>(input: { type: string; subject: string; tenant: string; data: T; id?: string }): AssentEvent<T>;
  newId(): string;
  clock: Clock;
  /** Which tenants exist: listing another's requests is NOT_FOUND. */
  tenants: TenantDirectory;
}
