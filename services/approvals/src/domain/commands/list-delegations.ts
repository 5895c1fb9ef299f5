import { Violations, type Principal } from '@assent/platform/domain';
import type { ApprovalsDeps } from '../ports.js';
import type { Delegation } from '../types.js';
import { delegationOwner } from './set-delegation.js';

/** A person's delegations: those they gave (stored) and those they received (read model); current and upcoming unless `includeEnded`. */
export async function listDelegations(
  deps: ApprovalsDeps,
  caller: Principal,
  input: { tenant: string; user: string; includeEnded: boolean },
): Promise<{ given: Delegation[]; received: Delegation[] }> {
  const v = new Violations().check('tenant', input.tenant, 'tenant');
  if (input.user) v.check('user', input.user, 'user');
  v.throwIfAny();
  const user = delegationOwner(caller, input.tenant, input.user);
  const now = deps.clock.now();
  const keep = (d: Delegation) => input.includeEnded || (!d.ended && d.endsAt > now);
  const byStart = (a: Delegation, b: Delegation) => a.startsAt.getTime() - b.startsAt.getTime();
  const given = ((await deps.delegations.head(input.tenant, user))?.set.delegations ?? []).filter(keep).sort(byStart);
  const received = (await deps.delegations.received(input.tenant, user)).filter(keep).sort(byStart);
  return { given, received };
}
