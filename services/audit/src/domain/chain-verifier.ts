import { checkpointHash, signedBytes, type Checkpoint } from './checkpoint.js';
import type { KeyRing } from './key-ring.js';
import { RECORD_FORMATS, recordHash } from './record-hash.js';
import type { AuditRecord, ChainVerification } from './types.js';

/**
 * Verifies a tenant's records and checkpoints in one pass, both in chain order.
 * Records: each must be the next position, link to the previous hash and match its
 * own content. Checkpoints: each must be the next in their own chain (index and
 * prevCheckpointHash), carry a valid signature by a known key valid at its time,
 * not go backwards, and cover a record whose stored hash is exactly its headHash.
 * The last check is what catches a whole chain deleted and rewritten with every
 * hash recomputed: the records link up, but not to what the service signed.
 */
export class ChainVerifier {
  private records = 0;
  private prevHash = '';
  private checkpoints = 0;
  private prevCheckpointHash = '';
  private prevCheckpointSequence = 0;
  private firstInvalidSequence = 0;
  private firstInvalidCheckpoint = 0;
  private checkpointedSequence = 0;
  private problem = '';

  constructor(
    private readonly tenant: string,
    private readonly keys: KeyRing,
  ) {}

  private invalidRecord(sequence: number, problem: string): void {
    if (this.firstInvalidSequence !== 0) return;
    this.firstInvalidSequence = sequence;
    this.problem ||= problem;
  }

  private invalidCheckpoint(problem: string): void {
    if (this.firstInvalidCheckpoint !== 0) return;
    this.firstInvalidCheckpoint = this.checkpoints;
    this.problem ||= problem;
  }

  /** The next record in chain order. */
  record(record: AuditRecord): void {
    this.records++;
    const { hash, ...content } = record;
    // The format picks the hash function: old-format records verify as they were written.
    const knownFormat = RECORD_FORMATS.includes(record.format ?? 1);
    const fits = knownFormat && record.sequence === this.records && record.prevHash === this.prevHash && record.tenant === this.tenant && recordHash(content) === hash;
    if (!fits) this.invalidRecord(this.records, `record ${this.records} does not fit the chain (moved, removed, inserted or edited)`);
    this.prevHash = record.hash;
  }

  /**
   * The next checkpoint in its chain order; `covered` is the record at its sequence
   * (undefined when the chain has no such record), given once the records reached it.
   */
  checkpoint(cp: Checkpoint, covered: AuditRecord | undefined): void {
    this.checkpoints++;
    const at = this.checkpoints;
    const hash = checkpointHash(cp);
    const linked = cp.index === at && cp.prevCheckpointHash === this.prevCheckpointHash && cp.tenant === this.tenant;
    const signature = this.keys.verify(cp.keyId, signedBytes(cp), cp.signature, cp.time);
    const ordered = cp.sequence >= Math.max(1, this.prevCheckpointSequence);
    this.prevCheckpointHash = hash;
    this.prevCheckpointSequence = Math.max(this.prevCheckpointSequence, cp.sequence);
    if (signature !== 'valid') return this.invalidCheckpoint(`checkpoint ${at}: signature check failed (${signature}, key "${cp.keyId}")`);
    if (!linked) return this.invalidCheckpoint(`checkpoint ${at} is not linked to checkpoint ${at - 1} (one was removed, inserted or reordered)`);
    if (!ordered) return this.invalidCheckpoint(`checkpoint ${at} covers record ${cp.sequence}, before its predecessor's`);
    if (!covered || covered.sequence !== cp.sequence) {
      this.invalidRecord(Math.min(cp.sequence, this.records + 1), `checkpoint ${at} signed record ${cp.sequence}, but the chain holds ${this.records} record(s): records were removed`);
      return this.invalidCheckpoint(`checkpoint ${at} covers record ${cp.sequence}, which is missing`);
    }
    if (covered.hash !== cp.headHash) {
      this.invalidRecord(
        cp.sequence,
        `record ${cp.sequence} is not the one checkpoint ${at} signed (hash ${covered.hash}, signed ${cp.headHash}): the chain was rewritten after record ${this.checkpointedSequence}`,
      );
      return this.invalidCheckpoint(`checkpoint ${at} does not match record ${cp.sequence}`);
    }
    if (this.firstInvalidCheckpoint === 0 && this.firstInvalidSequence === 0) this.checkpointedSequence = cp.sequence;
  }

  result(): ChainVerification {
    const valid = this.firstInvalidSequence === 0 && this.firstInvalidCheckpoint === 0;
    return {
      valid,
      records: this.records,
      headHash: this.prevHash,
      firstInvalidSequence: this.firstInvalidSequence,
      checkpoints: this.checkpoints,
      firstInvalidCheckpoint: this.firstInvalidCheckpoint,
      checkpointedSequence: this.checkpointedSequence,
      problem: valid ? '' : this.problem,
    };
  }
}
