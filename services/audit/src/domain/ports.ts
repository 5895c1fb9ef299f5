import type { TenantDirectory } from '@assent/platform/domain';
import type { Checkpoint } from './checkpoint.js';
import type { KeyRing } from './key-ring.js';
import type { AuditRecord, Cursor, QueryPage, QueryPosition, RecordFilters, RecordPage, RecordQuery } from './types.js';

export interface AppendResult {
  /** True when the tenant's chain already held this event id: nothing was written. */
  duplicate: boolean;
}

/**
 * A tenant's append-only, hash-chained log. Backed by JetStream
 * (adapters/jetstream) or memory (adapters/memory); one contract suite covers both.
 */
export interface AuditLog {
  /** The tenant's last record, or undefined for an empty chain. */
  head(tenant: string): Promise<AuditRecord | undefined>;
  /**
   * Appends `records` (consecutive, of one tenant, the first at expectedHeadSequence + 1)
   * all together, only if the chain's head is still at expectedHeadSequence: a
   * compare-and-set, so N replicas never fork the chain. Throws ConflictError when
   * another writer got there first. Reports duplicate when the store itself recognises
   * the first record's event id as already appended (memory: always; JetStream: within
   * the stream's dedupe window), which is a second guard only: callers check knownEvents first.
   */
  append(records: AuditRecord[], expectedHeadSequence: number): Promise<AppendResult>;
  /** Whether the tenant's chain already records this event id (at any age). */
  hasEvent(tenant: string, eventId: string): Promise<boolean>;
  /** The subset of `eventIds` the tenant's chain already records (one lookup for a batch). */
  knownEvents(tenant: string, eventIds: string[]): Promise<Set<string>>;
  /** Up to `limit` matching records after `after`, oldest first. */
  list(tenant: string, after: Cursor, limit: number, filters: RecordFilters): Promise<RecordPage>;
  /** Every record of the tenant in chain order (streamed: chains can be long). */
  all(tenant: string): AsyncIterable<AuditRecord>;
  /**
   * Up to `limit` records matching `query`, in query order (time, then chain position),
   * after or before `position`. Served from an index, so a filter that matches nothing
   * costs no scan of the chain (JetStream: adapters/redis/query-index.ts).
   */
  query(tenant: string, query: RecordQuery, position: QueryPosition, limit: number): Promise<QueryPage>;
}

export interface Clock {
  now(): Date;
}

export interface AuditDeps {
  log: AuditLog;
  clock: Clock;
  /** Which tenants exist: a list or verify for another is NOT_FOUND. */
  tenants: TenantDirectory;
}

/**
 * A tenant's append-only chain of signed checkpoints. Backed by JetStream
 * (adapters/jetstream) or memory (adapters/memory); one contract suite covers both.
 */
export interface CheckpointLog {
  /** The tenant's newest checkpoint, or undefined when it has none. */
  last(tenant: string): Promise<Checkpoint | undefined>;
  /**
   * Appends `checkpoint` only if the tenant's newest checkpoint is still at
   * checkpoint.index - 1: a compare-and-set, so replicas signing on the same schedule
   * never fork the checkpoint chain. Throws ConflictError when another got there first.
   */
  append(checkpoint: Checkpoint): Promise<void>;
  /** Every checkpoint of the tenant in chain order (streamed). */
  all(tenant: string): AsyncIterable<Checkpoint>;
}

/** The tenant's head as stored now: what a checkpoint signs, so never a cached copy. */
export interface ChainHeads {
  current(tenant: string): Promise<AuditRecord | undefined>;
}

/** What signing and verifying checkpoints need besides the audit log. */
export interface CheckpointDeps extends AuditDeps {
  heads: ChainHeads;
  checkpoints: CheckpointLog;
  keys: KeyRing;
}
