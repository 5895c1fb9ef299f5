import { ConflictError, NotFoundError, type AssentEvent } from '@assent/platform/domain';
import type { ApprovalsDeps } from '../ports.js';
import { wakeAt } from '../schedule.js';
import type { ApprovalRequest } from '../types.js';

const CAS_ATTEMPTS = 5;

export type Step = (current: ApprovalRequest, now: Date) => Promise<{ next: ApprovalRequest; events: (next: ApprovalRequest) => AssentEvent[] } | undefined>;

/**
 * One transition of a request as a compare-and-set: read, decide (`step` validates
 * against the state it was given and throws a domain error to refuse), write the
 * new state with its events. A lost race re-reads and decides again, so concurrent
 * actions on N replicas apply one at a time and each transition happens once. A
 * step that returns nothing changes nothing (the current request is returned).
 */
export async function transition(deps: ApprovalsDeps, tenant: string, id: string, step: Step): Promise<ApprovalRequest> {
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.requests.get(tenant, id);
    if (!stored) throw new NotFoundError('request', id);
    const now = deps.clock.now();
    const decided = await step(stored.request, now);
    if (!decided) return stored.request;
    const draft: ApprovalRequest = { ...decided.next, updatedAt: now, version: stored.request.version + 1 };
    const next: ApprovalRequest = { ...draft, wakeAt: wakeAt(draft) };
    try {
      return (await deps.requests.update(next, stored.etag, decided.events(next))).request;
    } catch (err) {
      if (err instanceof ConflictError && attempt < CAS_ATTEMPTS) continue;
      throw err;
    }
  }
}
