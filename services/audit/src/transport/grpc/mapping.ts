import type { auditv1 } from '@assent/proto';
import { canonicalJson } from '@assent/platform';
import { checkpointHash, type Checkpoint } from '../../domain/checkpoint.js';
import type { PublicSigningKey } from '../../domain/key-ring.js';
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
