import { NotFoundError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import type { ApprovalsDeps } from '../ports.js';
import { newRequest } from '../new-request.js';
import { timeline, type TimelineEntry } from '../schedule.js';
import { allApprovers, type Policy } from '../types.js';

const MAX_TIMELINE = 50;
const MAX_MEMBERS = 100;

export interface Simulation {
  policy: Policy;
  groups: { subject: string; users: string[]; truncated: boolean }[];
  timers: TimelineEntry[];
  timersTruncated: boolean;
}

/**
 * What a request for `action` would get if made at `at` (default now): the policy
 * that governs it, its groups as they are now, and every timer in order. Reads
 * only: nothing is stored, published or asked of authz's decision point.
 */
export async function simulateRequest(deps: ApprovalsDeps, caller: Principal, input: { tenant: string; action: string; at: Date | undefined }): Promise<Simulation> {
  new Violations().check('tenant', input.tenant, 'tenant').check('action', input.action, 'action').throwIfAny();
  assertTenantAccess(caller, input.tenant);
  const policy = await deps.policies.get(input.tenant, input.action);
  if (!policy) throw new NotFoundError('policy', input.action, `no policy for action "${input.action}" in tenant "${input.tenant}"`);
  const at = input.at ?? deps.clock.now();
  const draft = newRequest(policy, { id: 'simulated', tenant: input.tenant, action: input.action, resource: 'simulated', requester: caller.subject, justification: '', parameters: {}, grantDurationSeconds: 0, effectiveAt: undefined, previousRequestId: '', attempt: 1 }, at);
  const { entries, truncated } = timeline(draft, MAX_TIMELINE);
  const groupSubjects = allApprovers(policy).filter((s) => s.startsWith('group:'));
  const groups = await Promise.all(
    groupSubjects.map(async (subject) => {
      const group = /^group:(.+)#member$/.exec(subject)?.[1] ?? '';
      return { subject, ...(await deps.authz.groupMembers(input.tenant, group, MAX_MEMBERS)) };
    }),
  );
  return { policy, groups, timers: entries, timersTruncated: truncated };
}
