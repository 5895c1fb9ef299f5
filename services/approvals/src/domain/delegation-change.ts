import { ConflictError, type AssentEvent } from '@assent/platform/domain';
import type { ApprovalsDeps } from './ports.js';
import type { Delegation, DelegationSet } from './types.js';

const CAS_ATTEMPTS = 5;
/** Ended and past delegations kept per person, newest first, for the record. */
export const KEPT_ENDED = 20;

/** Drops what is over beyond the newest KEPT_ENDED, so a person's set stays small. */
function trim(delegations: Delegation[], now: Date): Delegation[] {
  const over = (d: Delegation) => Boolean(d.ended) || d.endsAt <= now;
  const live = delegations.filter((d) => !over(d));
  const past = delegations.filter(over).sort((a, b) => b.endsAt.getTime() - a.endsAt.getTime()).slice(0, KEPT_ENDED);
  return [...live, ...past];
}

/**
 * One change to a person's delegations as a compare-and-set with its event: read,
 * decide (`step` throws a domain error to refuse), write. A lost race re-reads.
 */
export async function changeDelegations(
  deps: ApprovalsDeps,
  tenant: string,
  user: string,
  step: (current: Delegation[], now: Date) => { delegations: Delegation[]; changed: Delegation; events: AssentEvent[] },
): Promise<Delegation> {
  for (let attempt = 1; ; attempt++) {
    const head = await deps.delegations.head(tenant, user);
    const now = deps.clock.now();
    const { delegations, changed, events } = step(head?.set.delegations ?? [], now);
    const set: DelegationSet = { tenant, user, delegations: trim(delegations, now), version: (head?.set.version ?? 0) + 1 };
    try {
      await deps.delegations.save(set, head?.etag ?? 0, events);
      return changed;
    } catch (err) {
      if (err instanceof ConflictError && attempt < CAS_ATTEMPTS) continue;
      throw err;
    }
  }
}
