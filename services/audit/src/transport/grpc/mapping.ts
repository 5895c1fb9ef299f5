import type { auditv1 } from '@assent/proto';
import { canonicalJson } from '@assent/platform';
import { canonicalView } from '../../domain/canonical-view.js';
import { checkpointHash, type Checkpoint } from '../../domain/checkpoint.js';
import type { PublicSigningKey } from '../../domain/key-ring.js';
import type { AuditRecord, ChainVerification } from '../../domain/types.js';

/**
 * data_json and details_json are the canonical JSON the hash covers, so clients can
 * re-verify records; a format-1 record's canonical fields are derived (canonicalView).
 */
export function toProtoRecord(r: AuditRecord): auditv1.AuditRecord {
  const c = canonicalView(r);
  return {
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
    format: r.format ?? 1,
    actorType: c?.actor.type ?? '',
    actorIp: c?.actor.ip ?? '',
    actorUserAgent: c?.actor.userAgent ?? '',
    action: c?.action ?? '',
    targetKind: c?.target.kind ?? '',
    targetId: c?.target.id ?? '',
    outcome: c?.outcome ?? '',
    reason: c?.reason ?? '',
    policyHash: c?.policyHash ?? '',
    payloadHash: c?.payloadHash ?? '',
    traceId: c?.traceId ?? '',
    requestId: c?.requestId ?? '',
    category: c?.category ?? '',
    detailsJson: canonicalJson(c?.details ?? {}),
  };
}

export const toProtoVerification = (v: ChainVerification): auditv1.VerifyChainResponse => ({
  valid: v.valid,
  records: String(v.records),
  headHash: v.headHash,
  firstInvalidSequence: String(v.firstInvalidSequence),
  checkpoints: String(v.checkpoints),
  firstInvalidCheckpoint: String(v.firstInvalidCheckpoint),
  checkpointedSequence: String(v.checkpointedSequence),
  problem: v.problem,
});

export const toProtoCheckpoint = (c: Checkpoint): auditv1.Checkpoint => ({
  tenant: c.tenant,
  index: String(c.index),
  sequence: String(c.sequence),
  headHash: c.headHash,
  time: c.time,
  keyId: c.keyId,
  prevCheckpointHash: c.prevCheckpointHash,
  signature: c.signature,
  hash: checkpointHash(c),
});

export const toProtoSigningKey = (k: PublicSigningKey): auditv1.SigningKey => ({
  keyId: k.keyId,
  publicJwk: JSON.stringify(k.jwk),
  validFrom: k.validFrom,
  validUntil: k.validUntil,
  current: k.current,
});
