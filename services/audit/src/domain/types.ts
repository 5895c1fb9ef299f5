import type { HashedRecord } from '@assent/platform/domain';
/** Any JSON value, as event data arrives and is stored. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Who an actor is: a person, a service calling an API, the emitting service on its own (a timer), or an identity Assent does not know (a chat user). */
export type ActorType = 'user' | 'service' | 'system' | 'external';

/** Whether the audited action happened (success) or was refused (denied: an authz answer other than ALLOW, a refused vote or chat interaction). */
export type RecordOutcome = 'success' | 'denied';
export const recordOutcomes: readonly RecordOutcome[] = ['success', 'denied'];

/** approval: the request lifecycle; access: decisions, grants, step-up; governance: policies, groups, delegations, models, contacts; security: refusals and break-glass. */
export type RecordCategory = 'approval' | 'access' | 'governance' | 'security';
export const recordCategories: readonly RecordCategory[] = ['approval', 'access', 'governance', 'security'];

export interface RecordActor {
  type: ActorType;
  id: string;
  /** Source IP and user agent when the event says; "" when not known. */
  ip: string;
  userAgent: string;
}

/**
 * The canonical fields of a format-2 record (see record-mappings.ts), what an
 * auditor filters and reads: who did what to which target, with what outcome and why.
 */
export interface CanonicalFields {
  actor: RecordActor;
  /** e.g. "approval.vote", "policy.apply" (the table in record-mappings.ts). */
  action: string;
  target: { kind: string; id: string };
  outcome: RecordOutcome;
  reason: string;
  /** Hash of the policy the event was decided under; "" when none. */
  policyHash: string;
  /** sha256 hex of the canonical JSON of the event data. */
  payloadHash: string;
  /** W3C trace id of the event's traceparent; "" when it had none. */
  traceId: string;
  /** The approval request the event concerns; "" when none. */
  requestId: string;
  category: RecordCategory;
  /** Per-action facts worth reading without the payload (the table says which). */
  details: { [key: string]: JsonValue };
}

/**
 * Record formats. 1: the original record (no canonical fields); records written
 * before format 2 keep hashing that way forever. 2: canonical fields, and the
 * format number itself, are inside the hash.
 */
export const RECORD_FORMAT = 2;

/**
 * One entry of a tenant's tamper-evident audit log. `hash` seals everything
 * else (see record-hash.ts), and `prevHash` links it to the record before it.
 */
export interface AuditRecord extends HashedRecord {
  /** Who caused the event: canonical.actor.id for format 2. */
  actor: string;
  data: JsonValue;
  hash: string;
  /** Record format (RECORD_FORMAT for new records); undefined = 1, as records stored before formats were. */
  format?: number | undefined;
  /** Format 2 only. */
  canonical?: CanonicalFields | undefined;
}

/** A CloudEvent as the audit domain sees it (transport has already parsed the envelope). */
export interface SourceEvent {
  id: string;
  type: string;
  /** CloudEvents source, e.g. "/assent/approvals". */
  source: string;
  subject: string;
  tenant: string;
  /** CloudEvents `time`; undefined when the producer did not set it. */
  time: Date | undefined;
  data: JsonValue;
  /** W3C traceparent (extension or NATS header), when the producer had a span. */
  traceparent?: string | undefined;
}

/**
 * Query filters (QueryRecords): exact matches on a record's canonical fields, all
 * that are set must hold, within the window [since, until) of its time (occurredAt).
 */
export interface RecordQuery {
  actor?: string | undefined;
  action?: string | undefined;
  /** "kind/id", e.g. "request/01J…". */
  target?: string | undefined;
  outcome?: string | undefined;
  category?: string | undefined;
  since: Date;
  until: Date;
}

/** A record's place in query order: its time (ms), then its chain position. */
export interface QueryKey {
  time: number;
  sequence: number;
}

/** Which page: records after `after` (forwards), or before `before` (backwards); neither = the first page of the window. */
export interface QueryPosition {
  after?: QueryKey | undefined;
  before?: QueryKey | undefined;
}

export interface QueryPage {
  /** Oldest first, whichever way the page was read. */
  records: AuditRecord[];
  /** Whether more records match beyond this page in the direction it was read. */
  more: boolean;
}

export interface RecordFilters {
  eventType?: string | undefined;
  subject?: string | undefined;
}

/** Where a listing resumes: an adapter-defined position, 0 = the start of the chain. */
export type Cursor = number;

export interface RecordPage {
  records: AuditRecord[];
  /** Position to continue from; undefined when no further record matches. */
  next: Cursor | undefined;
}

export interface ChainVerification {
  valid: boolean;
  /** Records in the chain. */
  records: number;
  /** Stored hash of the last record ("" for an empty chain). */
  headHash: string;
  /**
   * Chain position (the expected sequence) of the first record that does not fit: a
   * broken link, or a record whose hash is not the one a checkpoint signed; 0 when valid.
   */
  firstInvalidSequence: number;
  /** Checkpoints checked. */
  checkpoints: number;
  /** Index of the first checkpoint that does not hold; 0 when all do. */
  firstInvalidCheckpoint: number;
  /** Highest record sequence a valid checkpoint vouches for; 0 when none. */
  checkpointedSequence: number;
  /** What is wrong, for people; "" when valid. */
  problem: string;
}
