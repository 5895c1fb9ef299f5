import { DomainError, InvalidArgumentError, Violations, patterns, type Principal } from '@assent/platform/domain';
import type { ApprovalsDeps } from '../ports.js';
import type { ApprovalRequest } from '../types.js';
import { decideRequest } from './decide-request.js';
import { snoozeRequest, type SnoozePreset } from './snooze-request.js';

export const MAX_BULK = 100;
const BULK_CONCURRENCY = 8;

export type BulkAction = { kind: 'APPROVE' | 'DECLINE'; reason: string; acknowledged?: string[] } | { kind: 'SNOOZE'; preset: SnoozePreset | undefined; until: Date | undefined };

export interface BulkItemResult {
  id: string;
  request: ApprovalRequest | undefined;
  /** The refusal, as a domain error kind and message; undefined when it worked. */
  error: { kind: string; message: string } | undefined;
}

/**
 * The same action on many requests, each on its own: one item's refusal (already
 * decided, not eligible) never stops the others, and every item gets its result, in
 * the order asked. Each item is exactly the single-item command (same checks, same
 * events, same audit of refusals).
 */
export async function bulkAct(deps: ApprovalsDeps, caller: Principal, input: { tenant: string; ids: string[]; action: BulkAction }): Promise<BulkItemResult[]> {
  const v = new Violations().check('tenant', input.tenant, 'tenant');
  if (input.ids.length === 0) v.add('ids', 'at least one request id is required');
  if (input.ids.length > MAX_BULK) v.add('ids', `at most ${MAX_BULK} per call`);
  if (new Set(input.ids).size !== input.ids.length) v.add('ids', 'must not repeat an id');
  input.ids.forEach((id, i) => {
    if (!patterns.id.test(id)) v.add(`ids[${i}]`, 'is not a request id');
  });
  v.throwIfAny();
  const a = input.action;
  if (a.kind !== 'SNOOZE' && !a.reason.trim()) throw InvalidArgumentError.field('reason', 'is required: every decision carries a reason');
  const results: BulkItemResult[] = new Array(input.ids.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < input.ids.length; i = next++) {
      const id = input.ids[i] as string;
      try {
        const request =
          a.kind === 'SNOOZE'
            ? await snoozeRequest(deps, caller, { tenant: input.tenant, id, preset: a.preset, until: a.until })
            : await decideRequest(deps, caller, { tenant: input.tenant, id, comment: a.reason, acknowledged: a.acknowledged, lenientAcknowledged: true }, a.kind);
        results[i] = { id, request, error: undefined };
      } catch (err) {
        // Only refusals are per item; an outage (or a bug) fails the call, and a retry is safe.
        if (!(err instanceof DomainError) || err.kind === 'unavailable') throw err;
        results[i] = { id, request: undefined, error: { kind: err.kind, message: err.message } };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, input.ids.length) }, worker));
  return results;
}
