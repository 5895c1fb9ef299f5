import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createEndpoint } from '../src/domain/commands/create-endpoint.js';
import { deliverTask } from '../src/domain/commands/deliver-task.js';
import type { DeliveryTask } from '../src/domain/types.js';
import { admin, memoryDeps } from './support/memory-deps.js';

async function setup(overrides: Parameters<typeof memoryDeps>[0] = {}) {
  const m = memoryDeps(overrides);
  const endpoint = await createEndpoint(m.deps, admin('acme'), { tenant: 'acme', url: 'https://hooks.example.com/in', description: '', eventTypes: [] });
  const payload = JSON.stringify({ specversion: '1.0', id: '01J00000000000000000000001', type: 'assent.approval.decided.v1', data: { x: 1 } });
  const task: DeliveryTask = { tenant: 'acme', endpointId: endpoint.id, eventId: '01J00000000000000000000001', eventType: 'assent.approval.decided.v1', payload };
  return { ...m, endpoint, task };
}

describe('deliverTask', () => {
  it('POSTs the event JSON signed per Standard Webhooks and logs a successful attempt', async () => {
    const { deps, sender, attempts, endpoint, task } = await setup();
    expect(await deliverTask(deps, task, 1)).toEqual({ kind: 'delivered' });
    const [req] = sender.requests;
    expect(req?.url).toBe(endpoint.url);
    expect(req?.body).toBe(task.payload);
    expect(req?.headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': task.eventId });
    expect(req?.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(new Webhook(endpoint.secret).verify(req?.body ?? '', req?.headers ?? {})).toMatchObject({ id: task.eventId });
    expect(() => new Webhook(`whsec_${Buffer.alloc(24, 1).toString('base64')}`).verify(req?.body ?? '', req?.headers ?? {})).toThrow();
    expect(await attempts.list('acme', endpoint.id, 10)).toEqual([
      expect.objectContaining({ attempt: 1, result: 'SUCCEEDED', outcome: 'delivered', httpStatus: 200, error: '', eventType: task.eventType }),
    ]);
  });

  it('retries 5xx on the schedule, then gives up after maxAttempts', async () => {
    const { deps, sender, attempts, endpoint, task } = await setup();
    sender.reply({ status: 503 }, { status: 500 }, { error: 'ECONNRESET: socket hang up' }, { status: 502 });
    expect(await deliverTask(deps, task, 1)).toEqual({ kind: 'retry', delayMs: 1_000, reason: 'HTTP 503' });
    expect(await deliverTask(deps, task, 2)).toEqual({ kind: 'retry', delayMs: 60_000, reason: 'HTTP 500' });
    expect(await deliverTask(deps, task, 3)).toEqual({ kind: 'retry', delayMs: 600_000, reason: 'ECONNRESET: socket hang up' });
    expect(await deliverTask(deps, task, 4)).toEqual({ kind: 'give_up', reason: 'HTTP 502 (gave up after 4 attempts)' });
    const log = await attempts.list('acme', endpoint.id, 10);
    expect(log.map((a) => [a.attempt, a.result, a.outcome, a.httpStatus])).toEqual([
      [4, 'FAILED', 'gave_up', 502],
      [3, 'FAILED', 'retrying', 0],
      [2, 'FAILED', 'retrying', 500],
      [1, 'FAILED', 'retrying', 503],
    ]);
  });

  it('waits as long as Retry-After asks on 429', async () => {
    const { deps, sender, task } = await setup();
    sender.reply({ status: 429, retryAfter: '120' });
    expect(await deliverTask(deps, task, 1)).toEqual({ kind: 'retry', delayMs: 120_000, reason: 'HTTP 429' });
  });

  it('does not retry a 4xx other than 408/429', async () => {
    const { deps, sender, attempts, endpoint, task } = await setup();
    sender.reply({ status: 400 });
    expect(await deliverTask(deps, task, 1)).toEqual({ kind: 'give_up', reason: 'HTTP 400 (not retried)' });
    expect((await attempts.list('acme', endpoint.id, 10))[0]).toMatchObject({ result: 'FAILED', outcome: 'gave_up', httpStatus: 400 });
  });

  it('refuses to send when DNS now points inside (rebinding) and gives up', async () => {
    const { deps, sender, resolver, attempts, endpoint, task } = await setup();
    resolver.set('hooks.example.com', ['169.254.169.254']);
    const outcome = await deliverTask(deps, task, 1);
    expect(outcome).toMatchObject({ kind: 'give_up', reason: expect.stringContaining('169.254.169.254') });
    expect(sender.requests).toEqual([]);
    expect((await attempts.list('acme', endpoint.id, 10))[0]).toMatchObject({ result: 'FAILED', httpStatus: 0 });
  });

  it('retries when the host stops resolving for a while', async () => {
    const { deps, sender, resolver, task } = await setup();
    resolver.set('hooks.example.com', []);
    expect(await deliverTask(deps, task, 1)).toMatchObject({ kind: 'retry', delayMs: 1_000 });
    expect(sender.requests).toEqual([]);
  });

  it('drops tasks of deleted or disabled endpoints without sending or logging', async () => {
    const { deps, sender, attempts, endpoints, endpoint, task } = await setup();
    await endpoints.setDisabled('acme', endpoint.id, true);
    expect(await deliverTask(deps, task, 1)).toMatchObject({ kind: 'dropped' });
    expect(await deliverTask(deps, { ...task, endpointId: '01J0000000000000000000000Z' }, 1)).toMatchObject({ kind: 'dropped' });
    expect(sender.requests).toEqual([]);
    expect(await attempts.list('acme', undefined, 10)).toEqual([]);
  });
});

describe('deliverTask: an outage is not a webhook failure', () => {
  it('retries an unreachable receiver on the schedule and gives up only at maxAttempts', async () => {
    const { deps, sender, task } = await setup();
    sender.reply({ error: 'ECONNREFUSED' }, { error: 'ECONNREFUSED' }, { error: 'ECONNREFUSED' }, { error: 'ECONNREFUSED' });
    const outcomes = [];
    for (let n = 1; n <= deps.retry.maxAttempts; n++) outcomes.push((await deliverTask(deps, task, n)).kind);
    expect(outcomes).toEqual(['retry', 'retry', 'retry', 'give_up']);
  });
});
