import { describe, expect, it } from 'vitest';
import { createEndpoint } from '../src/domain/commands/create-endpoint.js';
import { anyEndpointWants, fanOutEvent } from '../src/domain/commands/fan-out-event.js';
import { admin, memoryDeps } from './support/memory-deps.js';

const url = 'https://hooks.example.com/in';
const event = (type: string, tenant = 'acme', id = '01J00000000000000000000001') => ({ id, type, tenant, payload: JSON.stringify({ id, type }) });

describe('fanOutEvent', () => {
  it('queues one task per endpoint whose event types match (empty = all)', async () => {
    const { deps, tasks } = memoryDeps();
    const all = await createEndpoint(deps, admin('acme'), { tenant: 'acme', url, description: '', eventTypes: [] });
    const decided = await createEndpoint(deps, admin('acme'), { tenant: 'acme', url, description: '', eventTypes: ['assent.approval.decided.v1'] });
    await createEndpoint(deps, admin('acme'), { tenant: 'acme', url, description: '', eventTypes: ['assent.grant.issued.v1'] });

    expect(await fanOutEvent(deps, event('assent.approval.decided.v1'))).toEqual({ tasks: 2 });
    expect(tasks.tasks.map((t) => t.endpointId).sort()).toEqual([all.id, decided.id].sort());
    expect(tasks.tasks[0]).toMatchObject({ tenant: 'acme', eventId: '01J00000000000000000000001', eventType: 'assent.approval.decided.v1' });
    expect(tasks.tasks[0]?.payload).toBe(event('assent.approval.decided.v1').payload);

    expect(await fanOutEvent(deps, event('assent.approval.voted.v1', 'acme', '01J00000000000000000000002'))).toEqual({ tasks: 1 });
  });

  it("never reaches another tenant's endpoints", async () => {
    const { deps, tasks } = memoryDeps();
    await createEndpoint(deps, admin('globex'), { tenant: 'globex', url, description: '', eventTypes: [] });
    expect(await fanOutEvent(deps, event('assent.approval.decided.v1', 'acme'))).toEqual({ tasks: 0 });
    expect(tasks.tasks).toEqual([]);
  });

  it('skips disabled endpoints', async () => {
    const { deps, endpoints, tasks } = memoryDeps();
    const e = await createEndpoint(deps, admin('acme'), { tenant: 'acme', url, description: '', eventTypes: [] });
    await endpoints.setDisabled('acme', e.id, true);
    expect(await fanOutEvent(deps, event('assent.approval.decided.v1'))).toEqual({ tasks: 0 });
    expect(tasks.tasks).toEqual([]);
  });

  it('queues a task once when the same event is fanned out again', async () => {
    const { deps, tasks } = memoryDeps();
    await createEndpoint(deps, admin('acme'), { tenant: 'acme', url, description: '', eventTypes: [] });
    await fanOutEvent(deps, event('assent.approval.decided.v1'));
    await fanOutEvent(deps, event('assent.approval.decided.v1'));
    expect(tasks.tasks).toHaveLength(1);
  });

  it('tells whether any enabled endpoint of the tenant wants a type (the consumer skips the rest unread)', async () => {
    const { deps, endpoints } = memoryDeps();
    expect(await anyEndpointWants(deps, 'acme', 'assent.approval.decided.v1')).toBe(false);
    const e = await createEndpoint(deps, admin('acme'), { tenant: 'acme', url, description: '', eventTypes: ['assent.approval.decided.v1'] });
    expect(await anyEndpointWants(deps, 'acme', 'assent.approval.decided.v1')).toBe(true);
    expect(await anyEndpointWants(deps, 'acme', 'assent.authz.checked.v1')).toBe(false);
    expect(await anyEndpointWants(deps, 'globex', 'assent.approval.decided.v1')).toBe(false);
    await endpoints.setDisabled('acme', e.id, true);
    expect(await anyEndpointWants(deps, 'acme', 'assent.approval.decided.v1')).toBe(false);
  });
});
