import type { RecordedDecision } from '../../domain/decision-replay.js';
import type { RecordedDecisions } from '../../domain/ports.js';

/** In-memory twin of the recorded decisions: what a test records, newest last. */
export class MemoryRecordedDecisions implements RecordedDecisions {
  readonly recorded: (RecordedDecision | undefined)[] = [];

  async newest(limit: number): Promise<{ decisions: RecordedDecision[]; unreadable: number }> {
    const newest = limit > 0 ? this.recorded.slice(-limit).reverse() : [];
    const decisions = newest.filter((d): d is RecordedDecision => d !== undefined);
    return { decisions, unreadable: newest.length - decisions.length };
  }
}
