import { ConflictError, FailedPreconditionError } from '@assent/platform/domain';
import { checkpointHash, signCheckpoint, type Checkpoint } from './checkpoint.js';
import type { CheckpointDeps } from './ports.js';

/** Bounded: losing a race means another replica signed; a few rounds settle it. */
const MAX_ATTEMPTS = 5;

export interface CheckpointOutcome {
  checkpoint: Checkpoint;
  /** False when the newest checkpoint already covered the head (nothing was signed). */
  created: boolean;
}

/**
 * Signs the tenant's current head as its next checkpoint, unless the newest
 * checkpoint already covers it. The append is a compare-and-set on the checkpoint
 * chain, so replicas signing on the same schedule sign each head once: the loser of
 * a race re-reads, finds the head covered, and returns the winner's checkpoint.
 * Undefined for a tenant with no records (there is nothing to vouch for).
 */
export async function checkpointHead(deps: CheckpointDeps, tenant: string): Promise<CheckpointOutcome | undefined> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const last = await deps.checkpoints.last(tenant);
    const head = await deps.heads.current(tenant);
    if (!head) return undefined;
    // Something that is not a record sits at the head (VerifyChain reports it): sign nothing.
    if (head.sequence < 1 || !head.hash) throw new FailedPreconditionError(`the head of tenant "${tenant}"'s audit chain is not a record; run VerifyChain`);
    if (last && last.sequence >= head.sequence) return { checkpoint: last, created: false };
    const checkpoint = signCheckpoint(deps.keys, {
      tenant,
      index: (last?.index ?? 0) + 1,
      sequence: head.sequence,
      headHash: head.hash,
      time: deps.clock.now(),
      prevCheckpointHash: last ? checkpointHash(last) : '',
    });
    try {
      await deps.checkpoints.append(checkpoint);
      return { checkpoint, created: true };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      // Another replica appended a checkpoint first: re-read both heads.
    }
  }
  throw new ConflictError(`checkpoints of tenant "${tenant}" are contended; try again`);
}
