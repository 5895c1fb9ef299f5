/** Any JSON value, as event data arrives and is stored. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * One entry of a tenant's tamper-evident audit log. `hash` seals everything
 * else (see record-hash.ts), and `prevHash` links it to the record before it.
 */
export interface AuditRecord {
  tenant: string;
  /** 1-based position in the tenant's chain. */
  sequence: number;
  /** CloudEvents id of the source event; a tenant's chain holds each event once. */
  eventId: string;
  eventType: string;
  /** CloudEvents subject, e.g. "request/01J...". */
  subject: string;
  /** Who caused the event (see actor-of.ts). */
  actor: string;
  occurredAt: Date;
  recordedAt: Date;
  data: JsonValue;
  /** Hash of the previous record; "" for the first. */
  prevHash: string;
  hash: string;
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
