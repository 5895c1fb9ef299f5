import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';

/**
 * What a record's hash covers: every field of an audit record except `hash`. Moved
 * here from services/audit so the service and `assentctl audit verify` (offline,
 * over an export) hash records with the same code; change the record format here.
 */
export interface HashedRecord {
  tenant: string;
  sequence: number;
  eventId: string;
  eventType: string;
  subject: string;
  actor: string;
  occurredAt: Date;
  recordedAt: Date;
  data: unknown;
  prevHash: string;
  /** Record format: undefined or 1 for records written before formats existed, 2 with canonical fields. */
  format?: number | undefined;
  /** The canonical fields (actor, action, target, outcome, …) of a format-2 record. */
  canonical?: unknown;
}

/** Formats this code can hash; a record claiming another is reported as not fitting the chain. */
export const RECORD_FORMATS: readonly number[] = [1, 2];

/** sha256 hex of a record's data as canonical JSON: a format-2 record is sealed over this instead of the data itself. */
export function payloadHashOf(data: unknown): string {
  return createHash('sha256').update(canonicalJson(data)).digest('hex');
}

/**
 * The hash that seals a record: sha256 hex of prevHash followed by the canonical
 * JSON of every field except `hash` (timestamps as RFC 3339 UTC with milliseconds).
 * Because prevHash is inside too, changing any earlier record breaks every later link.
 *
 * The record's format picks what is hashed, so records stored before a format change
 * keep verifying: format 1 (or none) is the original field set, unchanged forever;
 * format 2 adds `format: 2` and `canonical`, and covers `data` through its hash
 * (`payloadHash`: sha256 of its canonical JSON) rather than inline. The format is
 * inside the hash, so relabelling a format-2 record as format 1 (to drop its canonical fields) breaks it.
 * Throws for a format it does not know.
 */
export function recordHash(record: HashedRecord, known: { payloadHash?: string } = {}): string {
  const format = record.format ?? 1;
  const base = {
    tenant: record.tenant,
    sequence: record.sequence,
    eventId: record.eventId,
    eventType: record.eventType,
    subject: record.subject,
    actor: record.actor,
    occurredAt: record.occurredAt.toISOString(),
    recordedAt: record.recordedAt.toISOString(),
    data: record.data,
    prevHash: record.prevHash,
  };
  let content: string;
  if (format === 1) content = canonicalJson(base);
  else if (format === 2) {
    // The data by its hash (computed here, or the one its writer just computed from the same
    // data): the canonical fields repeat much of it, so hashing both doubled what is hashed.
    const { data, ...rest } = base;
    content = canonicalJson({ ...rest, format, canonical: record.canonical ?? null, payloadHash: known.payloadHash ?? payloadHashOf(data) });
  }
  else throw new Error(`audit record format ${String(record.format)} is not one of ${RECORD_FORMATS.join(', ')}`);
  return createHash('sha256').update(record.prevHash).update(content).digest('hex');
}
