import { ClientError, Status } from 'nice-grpc';
import { approvalsv1 } from '@assent/proto';

/** The part of the approvals client this needs (a nice-grpc client fits). */
export interface RequestWatchClient {
  watchRequest(request: { tenant: string; id: string }, options: { signal: AbortSignal }): AsyncIterable<approvalsv1.WatchRequestResponse>;
}

const REOPEN_DELAY_MS = 100;

/**
 * Waits on the WatchRequest stream (no polling) until the request's grant is
 * written, and resolves with its expiry. Rejects when `timeoutMs` passes, when the
 * request is declined, or with the caller's abort. A watch ended by a restarting
 * server (UNAVAILABLE) is reopened: its first message is the current state, so
 * nothing is missed.
 */
export async function waitForGrant(
  client: RequestWatchClient,
  request: { tenant: string; id: string },
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<Date> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  try {
    for (;;) {
      try {
        for await (const { request: r } of client.watchRequest(request, { signal })) {
          if (r?.grantExpiresAt) return r.grantExpiresAt;
          if (r?.state === approvalsv1.RequestState.REQUEST_STATE_DECLINED) throw new Error(`request ${request.id} was declined`);
        }
        throw new Error(`watch of request ${request.id} ended without a grant`);
      } catch (err) {
        if (!(err instanceof ClientError && err.code === Status.UNAVAILABLE) || signal.aborted) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, REOPEN_DELAY_MS));
    }
  } catch (err) {
    if (timeout.aborted && !opts.signal?.aborted) throw new Error(`grant not written within ${timeoutMs / 1000} s`, { cause: err });
    throw err;
  }
}
