import { checkpointHash, signedBytes, type Checkpoint } from './checkpoint-signing.js';
import { parseExportLine, type ExportHeader, type ExportedRecord } from './export-format.js';
import { recordHash } from './record-hash.js';
import { VerificationKeys, isEd25519Jwk, type PublicSigningKey } from './verification-keys.js';

export interface ExportVerification {
  valid: boolean;
  /** Line number (1-based) of the first line that does not hold; 0 when valid. */
  firstBadLine: number;
  /** What is wrong there, for people; "" when valid. */
  problem: string;
  lines: number;
  records: number;
  checkpoints: number;
  /** Sequence of the first and last exported record (0 when none). */
  firstSequence: number;
  lastSequence: number;
  /** Highest record sequence a valid checkpoint in the export vouches for (0: none). */
  signedThrough: number;
  /** Records after the last valid checkpoint: consistent with the chain, but unsigned (0 when invalid). */
  unsignedRecords: number;
  contiguous: boolean;
  /** Where the public keys came from: given by the auditor, or carried in the export itself. */
  keySource: 'given' | 'export';
}

/**
 * Checks an NDJSON audit export line by line, with the hash and signature code the
 * audit service itself uses, and names the first line that does not hold:
 *
 * - every record's hash matches its content (an edited record);
 * - in a contiguous export, each record is the next sequence and links to the
 *   previous hash (a deleted, inserted or reordered record); in a filtered one,
 *   sequences only increase, and links are checked where records are adjacent;
 * - each checkpoint is signed by a key valid at its time, follows the record it
 *   covers with exactly that record's hash, and (contiguous) links to the previous
 *   checkpoint;
 * - the end line counts what the file holds (lines cut off or added).
 *
 * What it proves: records up to `signedThrough` are exactly what the service signed
 * (the links carry the signature back to the first record of a contiguous export);
 * later ones only agree with each other. A filtered export proves each record is
 * sealed by its own hash, and that the records a checkpoint covers were signed.
 * Keys carried in the file prove nothing against someone who rewrote the file:
 * pass the keys Assent publishes (`givenKeys`) for an independent check.
 */
export class ExportVerifier {
  private line = 0;
  private header: ExportHeader | undefined;
  private keys: VerificationKeys | undefined;
  private readonly embedded: PublicSigningKey[] = [];
  private prev: ExportedRecord | undefined;
  private prevCheckpoint: { index: number; hash: string } | undefined;
  private records = 0;
  private checkpoints = 0;
  private firstSequence = 0;
  private signedThrough = 0;
  private sinceCheckpoint = 0;
  private ended = false;
  private badLine = 0;
  private problem = '';

  constructor(private readonly givenKeys?: readonly PublicSigningKey[]) {
    if (givenKeys) this.keys = new VerificationKeys(givenKeys);
  }

  private bad(problem: string): void {
    if (this.badLine !== 0) return;
    this.badLine = this.line;
    this.problem = problem;
  }

  /** The next line of the file (without its newline). */
  next(text: string): void {
    this.line++;
    // The first bad line is what matters (later ones follow from it); the rest is only counted.
    if (this.badLine !== 0) return this.count(text);
    if (text.trim() === '') return this.bad('empty line');
    if (this.ended) return this.bad('a line after the end line: lines were added');
    let parsed;
    try {
      parsed = parseExportLine(text);
    } catch (err) {
      return this.bad((err as Error).message);
    }
    if (this.line === 1 && parsed.kind !== 'header') return this.bad('not an Assent audit export: the first line is not its header');
    switch (parsed.kind) {
      case 'header':
        if (this.line !== 1) return this.bad('a second header: lines were added');
        this.header = parsed;
        return;
      case 'key': {
        if (this.records > 0) return this.bad('a key after the records: lines were added');
        if (!isEd25519Jwk(parsed.jwk) || typeof parsed.keyId !== 'string') return this.bad('the key is not an Ed25519 public JWK with a key id');
        this.embedded.push({
          keyId: parsed.keyId,
          jwk: parsed.jwk,
          validFrom: parsed.validFrom ? new Date(parsed.validFrom) : undefined,
          validUntil: parsed.validUntil ? new Date(parsed.validUntil) : undefined,
          current: parsed.current === true,
        });
        return;
      }
      case 'record':
        return this.record(parsed.record);
      case 'checkpoint':
        return this.checkpoint(parsed.checkpoint);
      case 'end':
        this.ended = true;
        if (parsed.records !== this.records || parsed.checkpoints !== this.checkpoints) {
          return this.bad(`the end line counts ${parsed.records} records and ${parsed.checkpoints} checkpoints, the file holds ${this.records} and ${this.checkpoints}: lines were removed or added`);
        }
        return this.checkEnd();
    }
  }

  private count(text: string): void {
    try {
      const line = parseExportLine(text);
      if (line.kind === 'record') {
        this.records++;
        this.prev = line.record;
      } else if (line.kind === 'checkpoint') this.checkpoints++;
    } catch {
      // not a line of the format: nothing to count
    }
  }

  private get contiguous(): boolean {
    return this.header?.contiguous === true;
  }

  private record(r: ExportedRecord): void {
    const header = this.header as ExportHeader;
    const prev = this.prev;
    this.records++;
    this.sinceCheckpoint++;
    this.prev = r;
    if (r.tenant !== header.tenant) return this.bad(`record ${r.sequence} belongs to tenant "${r.tenant}", not "${header.tenant}"`);
    if (!prev) {
      this.firstSequence = r.sequence;
      // A contiguous export with no start time begins at the chain's first record.
      if (this.contiguous && !header.filters.recordedAfter && (r.sequence !== 1 || r.prevHash !== '')) {
        return this.bad(`the export starts at record ${r.sequence}, not at record 1: records were removed from its start`);
      }
    } else if (r.sequence <= prev.sequence) {
      return this.bad(`record ${r.sequence} comes after record ${prev.sequence}: a record was inserted or moved`);
    } else if (this.contiguous && r.sequence !== prev.sequence + 1) {
      return this.bad(`record ${r.sequence} follows record ${prev.sequence}: record ${prev.sequence + 1} is missing here (deleted or moved)`);
    } else if (r.sequence === prev.sequence + 1 && r.prevHash !== prev.hash) {
      return this.bad(`record ${r.sequence} does not link to record ${prev.sequence} (its prevHash differs): a record was replaced`);
    }
    let hash: string;
    try {
      hash = recordHash(r);
    } catch (err) {
      return this.bad(`record ${r.sequence} cannot be hashed: ${(err as Error).message}`);
    }
    if (hash !== r.hash) return this.bad(`record ${r.sequence} was edited: its content does not match its hash`);
  }

  private checkpoint(cp: Checkpoint): void {
    const header = this.header as ExportHeader;
    this.checkpoints++;
    this.keys ??= new VerificationKeys(this.embedded);
    const signature = this.keys.verify(cp.keyId, signedBytes(cp), cp.signature, cp.time);
    const prev = this.prevCheckpoint;
    this.prevCheckpoint = { index: cp.index, hash: checkpointHash(cp) };
    if (signature !== 'valid') return this.bad(`checkpoint ${cp.index}: signature check failed (${signature}, key "${cp.keyId}")`);
    if (cp.tenant !== header.tenant) return this.bad(`checkpoint ${cp.index} is tenant "${cp.tenant}"'s, not "${header.tenant}"'s`);
    if (prev && (cp.index <= prev.index || (this.contiguous && cp.index !== prev.index + 1))) {
      return this.bad(`checkpoint ${cp.index} follows checkpoint ${prev.index}: a checkpoint was removed, inserted or moved`);
    }
    if (prev && cp.index === prev.index + 1 && cp.prevCheckpointHash !== prev.hash) {
      return this.bad(`checkpoint ${cp.index} does not link to checkpoint ${prev.index}: a checkpoint was replaced`);
    }
    const covered = this.prev;
    if (covered?.sequence !== cp.sequence) return this.bad(`checkpoint ${cp.index} covers record ${cp.sequence}, which is not the record before it`);
    if (covered.hash !== cp.headHash) {
      return this.bad(`checkpoint ${cp.index} signed record ${cp.sequence} with hash ${cp.headHash}, the export's record has ${covered.hash}: the records up to it were rewritten`);
    }
    this.signedThrough = cp.sequence;
    this.sinceCheckpoint = 0;
  }

  private checkEnd(): void {
    const header = this.header as ExportHeader;
    const last = this.prev?.sequence ?? 0;
    if (this.contiguous && !header.filters.recordedBefore && header.throughSequence > 0 && last !== header.throughSequence) {
      this.bad(`the export ends at record ${last}, its header says through record ${header.throughSequence}: records were removed from its end`);
    }
  }

  /** Call once after the last line. */
  result(): ExportVerification {
    if (this.badLine === 0 && !this.ended) {
      this.line++;
      this.bad(this.line === 1 ? 'the file is empty' : 'the export has no end line: it was cut short');
      this.line--;
    }
    const valid = this.badLine === 0;
    const last = this.prev?.sequence ?? 0;
    return {
      valid,
      firstBadLine: this.badLine,
      problem: this.problem,
      lines: this.line,
      records: this.records,
      checkpoints: this.checkpoints,
      firstSequence: this.firstSequence,
      lastSequence: last,
      signedThrough: this.signedThrough,
      unsignedRecords: valid ? this.sinceCheckpoint : 0,
      contiguous: this.contiguous,
      keySource: this.givenKeys ? 'given' : 'export',
    };
  }
}
