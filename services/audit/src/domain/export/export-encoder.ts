import type { Checkpoint } from '../checkpoint.js';
import type { AuditRecord } from '../types.js';

/** How one export format writes its file: text for the start, each record, each checkpoint, the end. */
export interface ExportEncoder {
  start(): string;
  record(record: AuditRecord): string;
  /** Checkpoints only the NDJSON format carries; others return "". */
  checkpoint(cp: Checkpoint): string;
  end(counts: { records: number; checkpoints: number }): string;
}
