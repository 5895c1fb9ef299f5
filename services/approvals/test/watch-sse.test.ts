import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, RateLimitedError, UnauthenticatedError, type Principal } from '@assent/platform';
import { createRequest } from '../src/domain/commands/create-request.js';
import { decideRequest } from '../src/domain/commands/decide-request.js';
import { putPolicy } from '../src/domain/commands/put-policy.js';
import { watchSseHandler } from '../src/transport/http/watch-sse.js';
import { memoryDeps, payoutsPolicy, user, withQuorum } from './fixtures.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Tokens in these tests are "Bearer <user>[@<tenant>]"; "Bearer flood" is rate limited. */
async function authenticate(authorization: string | undefined): Promise<Principal> {
  const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  if (!token) throw new UnauthenticatedError('missing bearer token');
  if (token === 'flood') throw new RateLimitedError('read per principal', 2_500);
  const [subject, tenant = 'acme'] = token.split('@') as [string, string?];
  return user(subject, tenant);
}

async function setup(policy = payoutsPolicy) {
  const m = memoryDeps();
  await putPolicy(m.deps, user('root', 'acme', ['admin']), 'acme', policy);
  const r = await createRequest(m.deps, user('alice'), { tenant: 'acme', action: payoutsPolicy.action, resource: 'payout-account/1', justification: 'new bank', idempotencyKey: '' });
  if (r.alreadyAllowed) throw new Error('unexpected');
  const stopping = new AbortController();
  const handler = watchSseHandler(m.deps, { authenticate, heartbeatMs: 50, logger: createLogger('test', 'silent'), stopping: stopping.signal });
  const server = createServer((req, res) => {
    void (async () => {
      if (!(await handler(req, res))) res.writeHead(404).end();
    })();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = (id = r.request.id, tenant = 'acme') => `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/tenants/${tenant}/requests/${id}/watch`;
  return { ...m, id: r.request.id, url, stopping };
}

interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/** Reads a whole event stream (it ends after the final revision), keeping heartbeat comments apart. */
async function readStream(res: Response): Promise<{ events: SseEvent[]; heartbeats: number }> {
  const text = await res.text();
  const events: SseEvent[] = [];
  let heartbeats = 0;
  for (const block of text.split('\n\n').filter(Boolean)) {
    if (block === ': heartbeat') {
      heartbeats++;
      continue;
    }
    const e: SseEvent = { event: 'message', data: '' };
    for (const line of block.split('\n')) {
      const [k, ...v] = line.split(': ');
      if (k === 'event') e.event = v.join(': ');
      if (k === 'id') e.id = v.join(': ');
      if (k === 'data') e.data = v.join(': ');
    }
    events.push(e);
  }
  return { events, heartbeats };
}

describe('WatchRequest as server-sent events', () => {
  it('sends the current state, each later revision once with heartbeats between, and ends after the decision', async () => {
    const m = await setup(withQuorum(2));
    const res = await fetch(m.url(), { headers: { authorization: 'Bearer carol' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reading = readStream(res);
    await new Promise((r) => setTimeout(r, 160));
    await decideRequest(m.deps, user('bob'), { tenant: 'acme', id: m.id, comment: 'ok' }, 'APPROVE');
    await decideRequest(m.deps, user('carol'), { tenant: 'acme', id: m.id, comment: 'ok' }, 'DECLINE');
    const { events, heartbeats } = await reading;
    expect(heartbeats).toBeGreaterThanOrEqual(2);
    expect(events.map((e) => [e.event, e.id])).toEqual([
      ['request', '1'],
      ['request', '2'],
      ['request', '3'],
      ['end', undefined],
    ]);
    expect(JSON.parse(events[2]?.data ?? '{}')).toMatchObject({ id: m.id, state: 'REQUEST_STATE_DECLINED', revision: '3' });
    expect(JSON.parse(events[3]?.data ?? '{}')).toEqual({ state: 'REQUEST_STATE_DECLINED', revision: '3' });
  });

  it('serves 60 concurrent watchers, each seeing the outcome once', async () => {
    const m = await setup();
    // A response's headers come once its watch has started: wait for all 60, not for a guessed delay.
    const responses = await Promise.all(Array.from({ length: 60 }, () => fetch(m.url(), { headers: { authorization: 'Bearer alice' } })));
    const watchers = responses.map(readStream);
    await decideRequest(m.deps, user('bob'), { tenant: 'acme', id: m.id, comment: 'ok' }, 'APPROVE');
    // Approved is final once the grant is recorded; record it as the grant consumer would.
    const stored = await m.deps.requests.get('acme', m.id);
    await m.deps.requests.update({ ...stored!.request, grantExpiresAt: new Date('2030-01-01T00:00:00Z'), version: stored!.request.version + 1 }, stored!.etag, []);
    const results = await Promise.all(watchers);
    for (const { events } of results) {
      expect(events.filter((e) => e.event === 'request').map((e) => e.id)).toEqual(['1', '2', '3']);
      expect(events.at(-1)?.event).toBe('end');
    }
  });

  it('answers errors with a status before any stream: 401, 403, 404, 429 with Retry-After', async () => {
    const m = await setup();
    const unauth = await fetch(m.url());
    expect([unauth.status, unauth.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
    expect((await fetch(m.url(m.id, 'acme'), { headers: { authorization: 'Bearer bob@globex' } })).status).toBe(403);
    const missing = await fetch(m.url('01JZZZZZZZZZZZZZZZZZZZZZZZ'), { headers: { authorization: 'Bearer bob' } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'request "01JZZZZZZZZZZZZZZZZZZZZZZZ" not found' });
    const limited = await fetch(m.url(), { headers: { authorization: 'Bearer flood' } });
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '3']);
    expect((await fetch(m.url('not-an-id'), { headers: { authorization: 'Bearer bob' } })).status).toBe(400);
  });

  it('ends open streams when the service stops', async () => {
    const m = await setup();
    const res = await fetch(m.url(), { headers: { authorization: 'Bearer alice' } });
    const reading = readStream(res);
    await new Promise((r) => setTimeout(r, 60));
    m.stopping.abort();
    const { events } = await reading;
    expect(events.map((e) => e.event)).toEqual(['request']);
  });
});
