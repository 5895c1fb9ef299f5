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
 *
 * The stream is read to its end: the server ends it (OK) right after the settled
 * revision. Leaving the loop early instead would cancel each call (RST_STREAM)
 * while the server's trailers are on their way; thousands of those on one
 * connection made the server's HTTP/2 session give up on it (GOAWAY
 * INTERNAL_ERROR), failing every call in flight (docs/benchmarks.md).
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
      let grant: Date | undefined;
      let declined = false;
      try {
        for await (const { request: r } of client.watchRequest(request, { signal })) {
          if (r?.grantExpiresAt) grant = r.grantExpiresAt;
          if (r?.state === approvalsv1.RequestState.REQUEST_STATE_DECLINED) declined = true;
        }
      } catch (err) {
        if (!(err instanceof ClientError && err.code === Status.UNAVAILABLE) || signal.aborted) throw err;
        await new Promise((resolve) => setTimeout(resolve, REOPEN_DELAY_MS));
        continue;
      }
      if (declined) throw new Error(`request ${request.id} was declined`);
      if (grant) return grant;
      throw new Error(`watch of request ${request.id} ended without a grant`);
    }
  } catch (err) {
    if (timeout.aborted && !opts.signal?.aborted) throw new Error(`grant not written within ${timeoutMs / 1000} s`, { cause: err });
    throw err;
  }
}
