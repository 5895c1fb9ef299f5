import { DomainError, InvalidArgumentError, Violations, assertTenantAccess, contextProblem, patterns, type Principal } from '@assent/platform/domain';
import type { AuthzDeps } from '../ports.js';
import type { CheckResult } from '../types.js';
import { checkAccess, type MembershipMemo } from './check-access.js';

export const MAX_BATCH_CHECK = 100;
/** Items decided at once: bounds the OpenFGA calls one batch can have in flight (cache misses). */
const BATCH_CONCURRENCY = 16;

export interface BatchCheckItem {
  principal: string;
  action: string;
  resource: string;
  correlationId: string;
  context?: Record<string, unknown> | undefined;
}

export interface BatchCheckItemResult {
  correlationId: string;
  result: CheckResult | undefined;
  error: { kind: string; message: string } | undefined;
}

/**
 * Up to 100 checks in one tenant, each exactly checkAccess (the decision cache,
 * the audit record), `BATCH_CONCURRENCY` at a time so a batch of cache misses sends
 * OpenFGA a bounded number of calls. A malformed item fails the whole call naming
 * it; a refused item (an unregistered action, another person's access) gets its own
 * error; an outage fails the call (every item is safe to ask again).
 */
export async function batchCheck(
  deps: AuthzDeps,
  caller: Principal,
  input: { tenant: string; items: BatchCheckItem[]; consistency?: 'DEFAULT' | 'FULL' },
): Promise<BatchCheckItemResult[]> {
  const v = new Violations().check('tenant', input.tenant, 'tenant');
  if (input.items.length === 0) v.add('items', 'at least one item is required');
  if (input.items.length > MAX_BATCH_CHECK) v.add('items', `at most ${MAX_BATCH_CHECK} per call`);
  input.items.slice(0, MAX_BATCH_CHECK).forEach((item, i) => {
    if (item.principal && !patterns.user.test(item.principal)) v.add(`items[${i}].principal`, 'is not a user id');
    if (!patterns.action.test(item.action)) v.add(`items[${i}].action`, 'must be dotted lowercase words, e.g. "payouts.change_details"');
    if (!patterns.resource.test(item.resource)) v.add(`items[${i}].resource`, 'is not a resource');
    if (item.correlationId.length > 128) v.add(`items[${i}].correlation_id`, 'must be at most 128 characters');
    const tooBig = item.context && contextProblem(item.context);
    if (tooBig) v.add(`items[${i}].context`, tooBig);
  });
  v.throwIfAny();
  assertTenantAccess(caller, input.tenant);
  const results: BatchCheckItemResult[] = new Array(input.items.length);
  const memberships: MembershipMemo = new Map();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < input.items.length; i = next++) {
      const item = input.items[i] as BatchCheckItem;
      try {
        const result = await checkAccess(deps, caller, {
          tenant: input.tenant,
          principal: item.principal,
          action: item.action,
          resource: item.resource,
          context: item.context,
          consistency: input.consistency,
        }, memberships);
        results[i] = { correlationId: item.correlationId, result, error: undefined };
      } catch (err) {
        // A context one of the item's conditions cannot decide is that item's problem, named for it.
        if (err instanceof InvalidArgumentError && err.violations.every((x) => x.field === 'context')) {
          throw new InvalidArgumentError(err.violations.map((x) => ({ field: `items[${i}].context`, description: x.description })));
        }
        // So is an action the tenant never registered: the other items are still answered.
        if (err instanceof InvalidArgumentError && err.violations.every((x) => x.field === 'action')) {
          results[i] = { correlationId: item.correlationId, result: undefined, error: { kind: err.kind, message: err.violations.map((x) => `items[${i}].action: ${x.description}`).join('; ') } };
          continue;
        }
        if (!(err instanceof DomainError) || err.kind === 'unavailable' || err instanceof InvalidArgumentError) throw err;
        results[i] = { correlationId: item.correlationId, result: undefined, error: { kind: err.kind, message: err.message } };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, input.items.length) }, worker));
  return results;
}
