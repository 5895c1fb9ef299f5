import type { Requirement, Vote } from './types.js';

export interface QuorumProgress {
  met: boolean;
  /** Approvals counted toward each requirement, by name (each approval counts once). */
  counted: Record<string, number>;
  /** Requirements still short of their quorum. */
  unmet: Requirement[];
}

/**
 * Whether the approvals meet every requirement (an AND of N-of-M sets), counting
 * each approver once: a person in both finance and security fills one slot, never
 * two, so "one of finance AND one of security" always takes two people. The slots
 * are filled by a maximum bipartite matching (approvals ↔ requirement slots), so
 * the order people voted in never decides the outcome.
 */
export function evaluateQuorum(requirements: Requirement[], approvals: Pick<Vote, 'approver' | 'eligibleFor'>[]): QuorumProgress {
  const slots = requirements.flatMap((r) => Array.from({ length: r.quorum }, () => r.name));
  const slotOwner: (number | undefined)[] = slots.map(() => undefined);
  const tryAssign = (voter: number, seen: Set<number>): boolean => {
    const eligible = approvals[voter]?.eligibleFor ?? [];
    for (let s = 0; s < slots.length; s++) {
      if (seen.has(s) || !eligible.includes(slots[s] as string)) continue;
      seen.add(s);
      const owner = slotOwner[s];
      if (owner === undefined || tryAssign(owner, seen)) {
        slotOwner[s] = voter;
        return true;
      }
    }
    return false;
  };
  approvals.forEach((_, i) => tryAssign(i, new Set()));
  const counted: Record<string, number> = Object.fromEntries(requirements.map((r) => [r.name, 0]));
  slotOwner.forEach((owner, s) => {
    if (owner !== undefined) counted[slots[s] as string] = (counted[slots[s] as string] ?? 0) + 1;
  });
  const unmet = requirements.filter((r) => (counted[r.name] ?? 0) < r.quorum);
  return { met: unmet.length === 0, counted, unmet };
}
