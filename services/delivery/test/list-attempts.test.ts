import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@assent/platform';
import { createEndpoint } from '../src/domain/commands/create-endpoint.js';
import { listAttempts } from '../src/domain/commands/list-attempts.js';
import { admin, member, memoryDeps } from './support/memory-deps.js';

async function withAttempts(count: number) {
  const m = memoryDeps();
  const endpoint = await createEndpoint(m.deps, admin('acme'), { tenant: 'acme', url: 'https://hooks.example.com/in', description: '', eventTypes: [] });
  for (let n = 1; n <= count; n++) {
    await m.attempts.record({
      tenant: 'acme',
      endpointId: endpoint.id,
      eventId: `01J0000000000000000000${String(n).padStart(4, '0')}`,
      eventType: 'assent.approval.decided.v1',
      attempt: 1,
      result: 'SUCCEEDED',
      outcome: 'delivered',
      httpStatus: 204,
      error: '',
      durationMs: 3,
      at: new Date(),
    });
  }
  return { ...m, endpoint };
}

describe('listAttempts', () => {
  it('pages newest first, defaulting to 50 and capping at 500', async () => {
    const { deps, endpoint } = await withAttempts(520);
    const call = (pageSize: number) => listAttempts(deps, member('acme'), { tenant: 'acme', endpointId: endpoint.id, pageSize });
    expect(await call(0)).toHaveLength(50);
    expect(await call(10_000)).toHaveLength(500);
    expect((await call(1))[0]?.eventId).toBe('01J00000000000000000000520');
  });

  it('rejects a malformed endpoint id and answers NOT_FOUND for an unknown one', async () => {
    const { deps } = await withAttempts(0);
    await expect(listAttempts(deps, member('acme'), { tenant: 'acme', endpointId: 'nope', pageSize: 10 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(listAttempts(deps, member('acme'), { tenant: 'acme', endpointId: '01J0000000000000000000000Z', pageSize: 10 })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("hides another tenant's endpoint and refuses another tenant's users", async () => {
    const { deps, endpoint } = await withAttempts(1);
    await expect(listAttempts(deps, member('globex'), { tenant: 'globex', endpointId: endpoint.id, pageSize: 10 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(listAttempts(deps, member('globex'), { tenant: 'acme', endpointId: endpoint.id, pageSize: 10 })).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});
