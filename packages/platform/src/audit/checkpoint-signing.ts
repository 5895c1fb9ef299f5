import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';

/**
 * A signed statement by the audit service: tenant's chain had `headHash` at
 * `sequence` at `time`. Checkpoints of a tenant form their own chain (index,
 * prevCheckpointHash), so one cannot be removed or reordered unnoticed. Lives here
 * (not in services/audit) so offline verification uses the service's own code.
 */
export interface Checkpoint {
  tenant: string;
  /** 1-based position in the tenant's checkpoint chain. */
  index: number;
  /** Chain position of the record it covers. */
  sequence: number;
  headHash: string;
  time: Date;
  keyId: string;
  /** Hash (checkpointHash) of the previous checkpoint; "" for the first. */
  prevCheckpointHash: string;
  /** base64url Ed25519 signature over signedBytes. */
  signature: string;
}

export type UnsignedCheckpoint = Omit<Checkpoint, 'signature'>;

/** Domain separation: these bytes can never be mistaken for another signed Assent message. */
export const CHECKPOINT_TYPE = 'assent.audit.checkpoint.v1';

/** What is signed: canonical JSON of every field but the signature, plus the type. */
export function signedBytes(cp: UnsignedCheckpoint): Buffer {
  return Buffer.from(
    canonicalJson({
      type: CHECKPOINT_TYPE,
      tenant: cp.tenant,
      index: cp.index,
      sequence: cp.sequence,
      headHash: cp.headHash,
      time: cp.time.toISOString(),
      keyId: cp.keyId,
      prevCheckpointHash: cp.prevCheckpointHash,
    }),
    'utf8',
  );
}

/** sha256 hex of the signed bytes: what the next checkpoint links to. */
export function checkpointHash(cp: UnsignedCheckpoint): string {
  return createHash('sha256').update(signedBytes(cp)).digest('hex');
}
