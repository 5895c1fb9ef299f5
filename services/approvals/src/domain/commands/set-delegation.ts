import { InvalidArgumentError, PermissionDeniedError, Violations, assertTenantAccess, hasRole, type Principal } from '@assent/platform/domain';
import { changeDelegations } from '../delegation-change.js';
import { delegationChangedData, eventTypes } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import type { Delegation } from '../types.js';
import { requireReason } from './decide-request.js';

export const MAX_DELEGATION_DAYS = 90;
const DAY = 86_400_000;

/** The person a delegation call is about: the caller, or (tenant admins only) someone else. */
export function delegationOwner(caller: Principal, tenant: string, user: string): string {
  assertTenantAccess(caller, tenant);
  if (caller.kind !== 'user') throw new PermissionDeniedError('delegations are set by people');
  if (!user || user === caller.subject) return caller.subject;
  if (!hasRole(caller, 'admin')) throw new PermissionDeniedError(`only tenant admins manage another person's delegations (${user})`);
  return user;
}

/**
 * Out of office: from `startsAt` (default now) until `endsAt`, `to` may act on the
 * requests `from` could approve; each such vote records `onBehalfOf`. One person
 * has at most one delegation at a time (ranges may not overlap), delegations do
 * not chain (a delegate acts with `from`'s eligibility, never with that of someone
 * who delegated to `from`), and nobody approves their own request through one.
 */
export async function setDelegation(
  deps: ApprovalsDeps,
  caller: Principal,
  input: { tenant: string; from: string; to: string; startsAt: Date | undefined; endsAt: Date | undefined; reason: string },
): Promise<Delegation> {
  const v = new Violations().check('tenant', input.tenant, 'tenant').check('to', input.to, 'user');
  if (input.from) v.check('from', input.from, 'user');
  if (!input.endsAt) v.add('ends_at', 'is required: a delegation covers a date range');
  v.throwIfAny();
  const reason = requireReason('reason', input.reason);
  const from = delegationOwner(caller, input.tenant, input.from);
  if (input.to === from) throw InvalidArgumentError.field('to', 'must be someone else');
  return changeDelegations(deps, input.tenant, from, (current, now) => {
    const startsAt = input.startsAt ?? now;
    const endsAt = input.endsAt as Date;
    if (endsAt <= now) throw InvalidArgumentError.field('ends_at', 'must be in the future');
    if (endsAt <= startsAt) throw InvalidArgumentError.field('ends_at', 'must be after starts_at');
    if (endsAt.getTime() - startsAt.getTime() > MAX_DELEGATION_DAYS * DAY) throw InvalidArgumentError.field('ends_at', `must be at most ${MAX_DELEGATION_DAYS} days after starts_at`);
    const clash = current.find((d) => !d.ended && d.endsAt > now && d.startsAt < endsAt && startsAt < d.endsAt);
    if (clash) {
      throw InvalidArgumentError.field(
        'starts_at',
        `overlaps delegation ${clash.id} to ${clash.to} (${clash.startsAt.toISOString()} - ${clash.endsAt.toISOString()}); end it first`,
      );
    }
    const d: Delegation = { id: deps.newId(), from, to: input.to, startsAt, endsAt, reason, createdBy: caller.subject, createdAt: now, ended: undefined };
    return {
      delegations: [...current, d],
      changed: d,
      events: [deps.newEvent({ type: eventTypes.delegationSet, subject: `delegation/${d.id}`, tenant: input.tenant, data: delegationChangedData(d, caller.subject) })],
    };
  });
}
