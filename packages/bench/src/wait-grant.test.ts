import { describe, expect, it } from 'vitest';
import { ClientError, Status } from 'nice-grpc';
import { approvalsv1 } from '@assent/proto';
import { waitForGrant, type RequestWatchClient } from './wait-grant.js';

const { REQUEST_STATE_PENDING: PENDING, REQUEST_STATE_APPROVED: APPROVED, REQUEST_STATE_DECLINED: DECLINED } = approvalsv1.RequestState;
const at = (state: approvalsv1.RequestState, grantExpiresAt?: Date): approvalsv1.WatchRequestResponse => ({
  request: approvalsv1.ApprovalRequest.fromPartial({ id: 'r1', tenant: 'acme', state, grantExpiresAt }),
});

/** Resolves when the signal aborts, then throws like a cancelled nice-grpc call. */
const hang = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => {
    const abort = () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  });

/** A client whose n-th watch plays the n-th script. */
function client(...scripts: ((signal: AbortSignal) => AsyncGenerator<approvalsv1.WatchRequestResponse>)[]) {
  const opened: string[] = [];
  const c: RequestWatchClient & { opened: string[] } = {
    opened,
    watchRequest(req, { signal }) {
      opened.push(req.id);
      const script = scripts[opened.length - 1];
      if (!script) throw new Error('unexpected watch');
      return script(signal);
    },
  };
  return c;
}

describe('waitForGrant', () => {
  it('resolves with the grant expiry from the stream', async () => {
    const expires = new Date('2030-01-01T00:00:00Z');
    const c = client(async function* () {
      yield at(PENDING);
      yield at(APPROVED);
      yield at(APPROVED, expires);
    });
    expect(await waitForGrant(c, { tenant: 'acme', id: 'r1' })).toEqual(expires);
  });

  it('reads the stream to its end (no cancel) before resolving', async () => {
    const expires = new Date('2030-01-01T00:00:00Z');
    let ended = false;
    const c = client(async function* () {
      yield at(APPROVED, expires);
      ended = true;
    });
    expect(await waitForGrant(c, { tenant: 'acme', id: 'r1' })).toEqual(expires);
    expect(ended).toBe(true);
  });

  it('rejects a declined request, and a stream that ends without a grant', async () => {
    await expect(waitForGrant(client(async function* () { yield at(DECLINED); }), { tenant: 'acme', id: 'r1' })).rejects.toThrow(/declined/);
    await expect(waitForGrant(client(async function* () { yield at(APPROVED); }), { tenant: 'acme', id: 'r1' })).rejects.toThrow(/ended without a grant/);
  });

  it('times out, and honours the caller abort', async () => {
    const waiting = async function* (signal: AbortSignal) {
      yield at(PENDING);
      await hang(signal);
    };
    await expect(waitForGrant(client(waiting), { tenant: 'acme', id: 'r1' }, { timeoutMs: 50 })).rejects.toThrow(/not written within 0.05 s/);
    const ac = new AbortController();
    const p = waitForGrant(client(waiting), { tenant: 'acme', id: 'r1' }, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('reopens a watch the server ended with UNAVAILABLE', async () => {
    const expires = new Date('2030-01-01T00:00:00Z');
    const c = client(
      async function* () {
        yield at(APPROVED);
        throw new ClientError('/assent.approvals.v1.ApprovalsService/WatchRequest', Status.UNAVAILABLE, 'shutting down');
      },
      async function* () {
        yield at(APPROVED, expires);
      },
    );
    expect(await waitForGrant(c, { tenant: 'acme', id: 'r1' })).toEqual(expires);
    expect(c.opened).toEqual(['r1', 'r1']);
  });
});
