import type { auditv1 } from '@assent/proto';
import { canonicalJson } from '@assent/platform';
import type { AuditRecord, ChainVerification } from '../../domain/types.js';

/** data_json is the canonical JSON the hash covers, so clients can re-verify records. */
export const toProtoRecord = (r: AuditRecord): auditv1.AuditRecord => ({
  tenant: r.tenant,
  sequence: String(r.sequence),
  eventId: r.eventId,
  eventType: r.eventType,
  subject: r.subject,
  actor: r.actor,
  occurredAt: r.occurredAt,
  recordedAt: r.recordedAt,
  dataJson: canonicalJson(r.data),
  prevHash: r.prevHash,
  hash: r.hash,
});

export const toProtoVerification = (v: ChainVerification): auditv1.VerifyChainResponse => ({
  valid: v.valid,
  records: String(v.records),
  headHash: v.headHash,
  firstInvalidSequence: String(v.firstInvalidSequence),
});
