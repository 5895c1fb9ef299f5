import { InvalidArgumentError, PermissionDeniedError, Violations, assertTenantAccess, type Principal } from '@assent/platform/domain';
import { actedData, eventTypes } from '../events.js';
import type { ApprovalsDeps } from '../ports.js';
import type { ApprovalRequest } from '../types.js';
import { requireState } from './decide-request.js';
import { transition } from './transition.js';
import { isRequestApprover } from '../request-approvers.js';

export type SnoozePreset = 'ONE_HOUR' | 'FOUR_HOURS' | 'TOMORROW' | 'NEXT_WEEK';
const MAX_SNOOZE_MS = 30 * 24 * 3600 * 1000;

/**
 * When a preset ends, from `now`. Presets are in UTC: TOMORROW is 09:00 UTC the next
 * day, NEXT_WEEK 09:00 UTC next Monday (people elsewhere pass an explicit time).
 */
export function presetUntil(preset: SnoozePreset, now: Date): Date {
  const nine = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 9));
  switch (preset) {
    case 'ONE_HOUR':
      return new Date(now.getTime() + 3600_000);
    case 'FOUR_HOURS':
      return new Date(now.getTime() + 4 * 3600_000);
    case 'TOMORROW':
      return nine(new Date(now.getTime() + 24 * 3600_000));
    case 'NEXT_WEEK': {
      const days = ((8 - now.getUTCDay()) % 7) || 7;
      return nine(new Date(now.getTime() + days * 24 * 3600_000));
    }
  }
}

/**
 * An approver sets a pending request aside: it leaves their Pending inbox for the
 * Snoozed one and comes back on its own at `until` (a timer, so it returns once,
 * with assent.approval.unsnoozed.v1). Snoozing again moves the time; others'
 * inboxes and the request's own timers are unchanged.
 */
export async function snoozeRequest(
  deps: ApprovalsDeps,
  caller: Principal,
  input: { tenant: string; id: string; preset: SnoozePreset | undefined; until: Date | undefined },
): Promise<ApprovalRequest> {
  new Violations().check('tenant', input.tenant, 'tenant').check('id', input.id, 'id').throwIfAny();
  if ((input.preset === undefined) === (input.until === undefined)) throw InvalidArgumentError.field('preset', 'give either a preset or until');
  assertTenantAccess(caller, input.tenant);
  if (caller.kind !== 'user') throw new PermissionDeniedError('snoozing is for people');
  let eligible: boolean | undefined;
  return transition(deps, input.tenant, input.id, async (current, now) => {
    requireState(current, ['PENDING'], 'snooze');
    const until = input.until ?? presetUntil(input.preset as SnoozePreset, now);
    if (until <= now) throw InvalidArgumentError.field('until', 'must be in the future');
    if (until.getTime() - now.getTime() > MAX_SNOOZE_MS) throw InvalidArgumentError.field('until', 'must be at most 30 days ahead');
    eligible ??= await isRequestApprover(deps, current, caller.subject);
    if (!eligible) throw new PermissionDeniedError(`${caller.subject} is not among the approvers of request ${current.id}`);
    const snoozes = [...current.snoozes.filter((s) => s.user !== caller.subject), { user: caller.subject, until }];
    return {
      next: { ...current, snoozes },
      events: (n) => [deps.newEvent({ type: eventTypes.snoozed, subject: `request/${n.id}`, tenant: n.tenant, data: actedData(n, caller.subject, `until ${until.toISOString()}`) })],
    };
  });
}
