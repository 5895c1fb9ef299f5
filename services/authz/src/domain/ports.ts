import type { AssentEvent } from '@assent/platform/domain';
import type { DecisionRecorder } from './decision-recorder.js';
import type { RecordedDecision } from './decision-replay.js';
import type { ModelDefinition } from './model-definition.js';
import type { Grant, ProtectedAction, StepUpRules, StepUpSession, Tenant } from './types.js';

/** Relationship facts, backed by OpenFGA (adapters/openfga) or memory (adapters/memory). */
export interface RelationStore {
  /** Id of the authorization model every decision is made with. */
  modelId(): string;
  isMember(tenant: string, user: string): Promise<boolean>;
  addMember(tenant: string, user: string): Promise<void>;
  /** Binds the action to its tenant and replaces its approver set. */
  setApprovers(tenant: string, action: string, approvers: string[]): Promise<void>;
  isApprover(tenant: string, action: string, user: string): Promise<boolean>;
  /** Adds a user to a tenant's group (idempotent). Groups are per tenant: acme's "finance" is not globex's. */
  addGroupMember(tenant: string, group: string, user: string): Promise<void>;
  /** Removes a user from a tenant's group (idempotent). */
  removeGroupMember(tenant: string, group: string, user: string): Promise<void>;
  /** A page of a group's users in a stable order; `cursor` is the previous page's `next`. */
  listGroupMembers(tenant: string, group: string, page: { limit: number; cursor: string | undefined }): Promise<{ users: string[]; next: string | undefined }>;
  /** The tenant's groups the user is in (ids, sorted). */
  groupsOf(tenant: string, user: string): Promise<string[]>;
  /**
   * The approver subjects ("user:<id>", "group:<id>#member", of this tenant) that
   * include the user now; none unless the user is a member of the tenant. Read at
   * full consistency, never from a cache (nor Redis), so a removal from a group
   * counts at once and a Redis outage does not slow it.
   */
  matchSubjects(tenant: string, user: string, subjects: string[]): Promise<string[]>;
  writeGrant(grant: Grant): Promise<void>;
  /**
   * Removes the user's grant for (action, resource) under `condition` ("" when the
   * action has no conditions) if it started at `grantedAt`; whether one was removed.
   */
  removeGrant(tenant: string, user: string, action: string, resource: string, grantedAt: Date, condition: string): Promise<boolean>;
  /**
   * Expiry of the user's grant under `condition` if one is active at `now`. Grants
   * under different conditions of one action are different grants: an approval for
   * a small refund is not one for a large one. It does not ask whether the user is
   * still a member: a grant counts only for a member, and every caller asks
   * `isMember` alongside (in parallel, so an uncached Check is one round trip).
   */
  activeGrant(tenant: string, user: string, action: string, resource: string, now: Date, condition: string): Promise<Date | undefined>;
  /** Users who may approve the action now (named, or through a group), members of the tenant only. */
  listApprovers(tenant: string, action: string): Promise<string[]>;
  /** Every grant tuple the user holds in the tenant (active or not), by grant key (domain/grant-key.ts), read now. */
  grantsOf(tenant: string, user: string): Promise<{ key: string; start: Date; end: Date }[]>;
  /** The tenant's actions the user is an approver of (named or through a group), read now; membership is the caller's to check. */
  approvableActions(tenant: string, user: string): Promise<string[]>;
  /** For Explain, read now and never from a cache: membership, and the grant tuple's window whether or not it is active. */
  grantFacts(tenant: string, user: string, action: string, resource: string, condition: string): Promise<{ member: boolean; window: { start: Date; end: Date } | undefined }>;
}

/** What a grant key (domain/grant-key.ts) is about: written with each grant, read to list a principal's access. */
export interface GrantCatalogEntry {
  action: string;
  resource: string;
  condition: string;
}

export interface GrantCatalog {
  /** Idempotent: a key always describes the same (action, resource, condition). */
  record(tenant: string, key: string, entry: GrantCatalogEntry): Promise<void>;
  /** The entries found for the keys (grants written before the catalog existed have none). */
  lookup(tenant: string, keys: string[]): Promise<Map<string, GrantCatalogEntry>>;
}

export interface TenantRepository {
  get(id: string): Promise<Tenant | undefined>;
  /** Creates the tenant; returns the existing one (created=false) if the id is taken. */
  create(tenant: Tenant): Promise<{ tenant: Tenant; created: boolean }>;
}

export interface ProtectedActionRepository {
  get(tenant: string, action: string): Promise<ProtectedAction | undefined>;
  put(action: ProtectedAction): Promise<void>;
  list(tenant: string): Promise<ProtectedAction[]>;
}

/** Publishes domain events (authz decisions are audited). */
/** Step-up sessions (Redis), shared by every replica; each expires by itself. */
export interface StepUpStore {
  open(tenant: string, session: StepUpSession, windowMs: number): Promise<void>;
  /** The session as it is, without sliding it (Explain). */
  peek(tenant: string, principal: string): Promise<StepUpSession | undefined>;
  /** The session with its window slid to `windowMs` from now, or undefined when there is none. */
  touch(tenant: string, principal: string, windowMs: number): Promise<StepUpSession | undefined>;
}

export interface EventSink {
  emit(event: AssentEvent): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface EventFactory {
  /** Builds a CloudEvent from this service. */
  create<T>(input: { type: string; subject: string; tenant: string; data: T; id?: string }): AssentEvent<T>;
}

export interface AuthzDeps {
  /** The facts, through the decision cache. */
  relations: RelationStore;
  /** The same facts read from OpenFGA at higher consistency, never from a cache (Check with CONSISTENCY_FULL, Explain). */
  freshRelations: RelationStore;
  tenants: TenantRepository;
  actions: ProtectedActionRepository;
  events: EventSink;
  /** Publishes Check decisions under the audit rule (decision-recorder.ts). */
  decisions: DecisionRecorder;
  eventFactory: EventFactory;
  clock: Clock;
  /** Subjects (token `sub`) allowed to call service-only RPCs such as WriteGrant. */
  trustedServices: string[];
  stepUps: StepUpStore;
  stepUpRules: StepUpRules;
  grantCatalog: GrantCatalog;
}

/** The authorization model every decision is made with now, as the registry's current-model pointer says. */
export interface CurrentModel {
  modelId: string;
  /** The model's digest (model-definition.ts modelSha): how "the same model" is told. */
  sha: string;
  dsl: string;
  /** builtin: written by authz at boot from its release; applied: by ApplyModel. */
  source: 'builtin' | 'applied';
  appliedAt: Date | undefined;
  appliedBy: string;
  /** An applied model: the one it replaced, and the id of its model_applied event. */
  previousModelId: string;
  eventId: string;
  /** Whether that event is published (it is published after the pointer moves, so a failed publish is retried by the next identical apply). */
  announced: boolean;
}

/**
 * The model's lifecycle in OpenFGA and the current-model pointer every replica
 * follows (adapters/openfga/openfga-models.ts; memory twin adapters/memory/model-store.ts).
 */
export interface ModelStore {
  /** The current model, read now; `revision` is its compare-and-set token. */
  current(): Promise<{ model: CurrentModel; revision: number }>;
  /** The model's id in OpenFGA: the registered one for the same model, else a new version. Never makes it current. */
  write(model: ModelDefinition): Promise<string>;
  /** Makes `next` current on every replica if the pointer is still at `revision`: its new revision, or undefined when it moved meanwhile. */
  makeCurrent(next: CurrentModel, revision: number): Promise<number | undefined>;
  /** The facts Check asks, answered by OpenFGA under the given model (same tuples, that model's rules). */
  under(modelId: string): Pick<RelationStore, 'isMember' | 'activeGrant'>;
}

/** Recorded Check decisions (assent.authz.checked.v1 on the event stream). */
export interface RecordedDecisions {
  /** Up to `limit` of the newest, newest first; `unreadable`: records among them that are not a decision authz can read. */
  newest(limit: number): Promise<{ decisions: RecordedDecision[]; unreadable: number }>;
}

export interface ModelLifecycleDeps {
  models: ModelStore;
  recorded: RecordedDecisions;
  actions: ProtectedActionRepository;
  events: EventSink;
  eventFactory: EventFactory;
  clock: Clock;
  log: { info(fields: object, msg: string): void; warn(fields: object, msg: string): void };
}
