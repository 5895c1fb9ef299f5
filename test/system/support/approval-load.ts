/**
 * A steady, bounded load for outage tests: one request created every `intervalMs`
 * and approved `approveAfterMs` later, by clients that behave as real callers
 * should during an outage: an error is retried (capped backoff) with the same
 * idempotency key until the call is accepted, so a call that failed, or timed out
 * after it landed, never opens a second request.
 *
 * The approval lags the creation on purpose: a dependency that blocks creating
 * (OpenFGA, Redis) may not block deciding, so decisions keep entering the system
 * at the start of such an outage and the reactions to them have to wait.
 */
import { Status, type Client } from 'nice-grpc';
import type { approvalsv1 } from '@assent/proto';

type Approvals = Client<approvalsv1.ApprovalsServiceDefinition>;

export interface AcceptedRequest {
  id: string;
  resource: string;
  idempotencyKey: string;
  acceptedAt: number;
}

export interface ApprovalLoad {
  /** Requests the service acknowledged, by id. */
  accepted: Map<string, AcceptedRequest>;
  /** Ids whose approval was acknowledged (or answered "already decided" after a retry). */
  approved: Set<string>;
  /** Failed calls (each then retried), by method and gRPC status name. */
  failures: Map<string, number>;
  /** The first error message seen per failures key. */
  firstErrors: Map<string, string>;
  /**
   * Stops creating, finishes the request being created and approves every accepted
   * one, each still retried until it succeeds; resolves with what could not be
   * finished by `deadlineMs` (empty when everything completed).
   */
  stop(deadlineMs: number): Promise<{ uncreatedKeys: string[]; unapproved: string[] }>;
}

const CALL_TIMEOUT_MS = 5_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const backoff = (attempt: number) => Math.min(100 * 2 ** attempt, 2_000);

export function startApprovalLoad(opts: {
  requester: Approvals;
  approver: Approvals;
  tenant: string;
  action: string;
  intervalMs?: number;
  approveAfterMs?: number;
}): ApprovalLoad {
  const intervalMs = opts.intervalMs ?? 100;
  const approveAfterMs = opts.approveAfterMs ?? 2_000;
  const accepted = new Map<string, AcceptedRequest>();
  const approved = new Set<string>();
  const failures = new Map<string, number>();
  const firstErrors = new Map<string, string>();
  const queue: AcceptedRequest[] = [];
  let stopping = false;
  let deadline = Infinity;
  let creatorDone = false;
  const uncreatedKeys: string[] = [];

  const failed = (method: string, err: unknown) => {
    const code = ['AbortError', 'TimeoutError'].includes((err as Error).name) ? 'TIMEOUT' : typeof (err as { code?: unknown }).code === 'number' ? Status[(err as { code: Status }).code] : 'ERROR';
    const key = `${method} ${code}`;
    failures.set(key, (failures.get(key) ?? 0) + 1);
    if (!firstErrors.has(key)) firstErrors.set(key, `${(err as Error).message} (${new Date().toISOString()})`);
  };
  const call = <T>(fn: (signal: AbortSignal) => Promise<T>) => fn(AbortSignal.timeout(CALL_TIMEOUT_MS));

  async function create(i: number): Promise<void> {
    const idempotencyKey = `load-${i}`;
    const resource = `account/${i}`;
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await call((signal) =>
          opts.requester.createRequest({ tenant: opts.tenant, action: opts.action, resource, justification: 'outage load', idempotencyKey }, { signal }),
        );
        if (!r.request) throw new Error(`request ${idempotencyKey} was not opened: ${r.reason}`);
        const a = { id: r.request.id, resource, idempotencyKey, acceptedAt: Date.now() };
        accepted.set(a.id, a);
        queue.push(a);
        return;
      } catch (err) {
        failed('CreateRequest', err);
        if (Date.now() > deadline) {
          uncreatedKeys.push(idempotencyKey);
          return;
        }
        await sleep(backoff(attempt));
      }
    }
  }

  async function approve(a: AcceptedRequest): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await call((signal) => opts.approver.approve({ tenant: opts.tenant, id: a.id, comment: 'ok' }, { signal }));
        approved.add(a.id);
        return true;
      } catch (err) {
        // An earlier attempt landed although its answer was lost: the vote is in.
        if ((err as { code?: unknown }).code === Status.FAILED_PRECONDITION && attempt > 0) {
          approved.add(a.id);
          return true;
        }
        failed('Approve', err);
        if (Date.now() > deadline) return false;
        await sleep(backoff(attempt));
      }
    }
  }

  const creator = (async () => {
    for (let i = 0; !stopping; i++) {
      const started = Date.now();
      await create(i);
      await sleep(Math.max(0, intervalMs - (Date.now() - started)));
    }
    creatorDone = true;
  })();

  const unapproved: string[] = [];
  const approverLoop = (async () => {
    for (;;) {
      const next = queue[0];
      if (!next) {
        if (creatorDone) return;
        await sleep(20);
        continue;
      }
      const wait = next.acceptedAt + approveAfterMs - Date.now();
      if (wait > 0 && !creatorDone) {
        await sleep(Math.min(wait, 50));
        continue;
      }
      queue.shift();
      if (!(await approve(next))) unapproved.push(next.id);
    }
  })();

  return {
    accepted,
    approved,
    failures,
    firstErrors,
    async stop(deadlineMs) {
      deadline = Date.now() + deadlineMs;
      stopping = true;
      await creator;
      await approverLoop;
      return { uncreatedKeys, unapproved };
    },
  };
}
