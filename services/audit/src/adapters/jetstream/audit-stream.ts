import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { ensureStream, type Nats, type Names } from '@assent/platform';

/** <ROOT>_AUDIT: the audit service's own stream, one subject per tenant chain. */
export const auditStreamName = (n: Names): string => `${n.upper}_AUDIT`;

/** <root>.audit.<tenant> (tenant ids are valid subject tokens: patterns.tenant). */
export const auditSubject = (n: Names, tenant: string): string => `${n.root}.audit.${tenant}`;

/**
 * Creates or updates the audit stream. Records are kept forever and the stream
 * refuses message deletes and purges, so the log cannot be edited through the
 * JetStream API; the hash chain detects edits made any other way.
 */
export async function ensureAuditStream(nats: Nats, n: Names): Promise<string> {
  const name = auditStreamName(n);
  await ensureStream(nats.jsm, {
    name,
    subjects: [`${n.root}.audit.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    max_msgs_per_subject: -1,
    // Longer than the events consumer's ack wait plus backoff, so a redelivered
    // event raced by two replicas is also caught by Nats-Msg-Id.
    duplicate_window: nanos(10 * 60 * 1000),
    deny_delete: true,
    deny_purge: true,
    // Queries read a record's block by sequence as raw bytes (no JSON API, no base64).
    allow_direct: true,
  });
  return name;
}
