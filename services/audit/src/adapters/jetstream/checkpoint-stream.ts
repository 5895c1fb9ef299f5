import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { ensureStream, type Nats, type Names } from '@assent/platform';

/** <ROOT>_AUDIT_CHECKPOINTS: the audit service's signed checkpoints, one subject per tenant. */
export const checkpointStreamName = (n: Names): string => `${n.upper}_AUDIT_CHECKPOINTS`;

/** <root>.auditcp.<tenant> (outside <root>.audit.>, which is the records' stream). */
export const checkpointSubject = (n: Names, tenant: string): string => `${n.root}.auditcp.${tenant}`;

/**
 * Creates or updates the checkpoint stream: kept forever, no message deletes or
 * purges through the JetStream API, like the audit stream itself. Only audit may
 * publish here (packages/platform/src/nats-permissions.ts).
 */
export async function ensureCheckpointStream(nats: Nats, n: Names): Promise<string> {
  const name = checkpointStreamName(n);
  await ensureStream(nats.jsm, {
    name,
    subjects: [`${n.root}.auditcp.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    max_msgs_per_subject: -1,
    duplicate_window: nanos(10 * 60 * 1000),
    deny_delete: true,
    deny_purge: true,
  });
  return name;
}
