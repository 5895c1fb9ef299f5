import { FailedPreconditionError, NotFoundError, Violations, type Principal } from '@assent/platform/domain';
import { changeDelegations } from '../delegation-change.js';
import { delegationChangedData, eventTypes } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import type { Delegation } from '../types.js';
import { delegationOwner } from './set-delegation.js';

/** Ends a delegation now (one not yet started never begins); its delegate can no longer act for `from`. */
export async function endDelegation(deps: ApprovalsDeps, caller: Principal, input: { tenant: string; from: string; id: string }): Promise<Delegation> {
  const v = new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id');
  if (input.from) v.check('from', input.from, 'user');
  v.throwIfAny();
  const from = delegationOwner(caller, input.tenant, input.from);
  return changeDelegations(deps, input.tenant, from, (current, now) => {
    const found = current.find((d) => d.id === input.id);
    if (!found) throw new NotFoundError('delegation', input.id, `${from} has no delegation ${input.id}`);
    if (found.ended || found.endsAt <= now) throw new FailedPreconditionError(`delegation ${input.id} is already over`, 'DELEGATION_OVER');
    const ended: Delegation = { ...found, ended: { at: now, by: caller.subject } };
    return {
      delegations: current.map((d) => (d.id === input.id ? ended : d)),
      changed: ended,
      events: [deps.newEvent({ type: eventTypes.delegationEnded, subject: `delegation/${ended.id}`, tenant: input.tenant, data: delegationChangedData(ended, caller.subject) })],
    };
  });
}
