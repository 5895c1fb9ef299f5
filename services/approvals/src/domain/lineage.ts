import { createHash } from 'node:crypto';
import { ConflictError, FailedPreconditionError, RateLimitedError } from '@assent/platform/domain';
import type { ApprovalsDeps } from './ports.js';
import type { Lineage, Policy } from './types.js';

const DAY_MS = 86_400_000;
const CAS_ATTEMPTS = 5;

/** One key per (requester, action, resource), opaque and safe in any store key. */
export const lineageKey = (requester: string, action: string, resource: string): string =>
  createHash('sha256').update(`${requester}\n${action}\n${resource}`).digest('base64url');

/**
 * Records that request `id` is being opened, after the policy's re-request rules:
 * after a decline of the previous one, not before its cooldown is over
 * (FAILED_PRECONDITION, saying when); at most `maxRequestsPerDay` in 24 hours
 * (RESOURCE_EXHAUSTED with the wait). Returns the new request's place in its
 * lineage. A compare-and-set on the key serializes concurrent requests for the
 * same thing; a retry for the same id (an idempotency key) finds itself and
 * counts once.
 */
export async function recordAttempt(
  deps: ApprovalsDeps,
  input: { tenant: string; requester: string; action: string; resource: string; id: string },
  policy: Policy,
  now: Date,
): Promise<{ previousRequestId: string; attempt: number }> {
  const key = lineageKey(input.requester, input.action, input.resource);
  for (let tries = 1; ; tries++) {
    const head = await deps.lineage.get(input.tenant, key);
    if (head?.lineage.lastId === input.id) return { previousRequestId: head.lineage.previousId, attempt: head.lineage.attempt };
    const previous = head && (await deps.requests.get(input.tenant, head.lineage.lastId))?.request;
    if (previous?.state === 'DECLINED' && previous.decidedAt && policy.rerequestCooldownSeconds > 0) {
      const again = new Date(previous.decidedAt.getTime() + policy.rerequestCooldownSeconds * 1000);
      if (again > now) {
        throw new FailedPreconditionError(
          `request ${previous.id} for this was declined at ${previous.decidedAt.toISOString()}; policy ${policy.id} lets you ask again from ${again.toISOString()}`,
          'REREQUEST_COOLDOWN',
        );
      }
    }
    const recent = (head?.lineage.openedAt ?? []).filter((t) => now.getTime() - t.getTime() < DAY_MS);
    if (policy.maxRequestsPerDay > 0 && recent.length >= policy.maxRequestsPerDay) {
      const oldest = recent[0] as Date;
      throw new RateLimitedError(`${policy.maxRequestsPerDay} requests per day for the same action and resource (policy ${policy.id})`, oldest.getTime() + DAY_MS - now.getTime());
    }
    const lineage: Lineage = { lastId: input.id, previousId: head?.lineage.lastId ?? '', attempt: (head?.lineage.attempt ?? 0) + 1, openedAt: [...recent, now] };
    try {
      await deps.lineage.save(input.tenant, key, lineage, head?.etag ?? 0);
      return { previousRequestId: lineage.previousId, attempt: lineage.attempt };
    } catch (err) {
      if (err instanceof ConflictError && tries < CAS_ATTEMPTS) continue;
      throw err;
    }
  }
}
