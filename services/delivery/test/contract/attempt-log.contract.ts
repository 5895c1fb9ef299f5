import { describe, expect, it } from 'vitest';
import type { AttemptLog } from '../../src/domain/ports.js';
import type { Attempt } from '../../src/domain/types.js';

/** One contract for every AttemptLog: the JetStream stream and its in-memory twin. */
export function attemptLogContract(name: string, make: () => Promise<AttemptLog>, tenantOf: () => string): void {
  const attempt = (tenant: string, endpointId: string, n: number, patch: Partial<Attempt> = {}): Attempt => ({
    tenant,
    endpointId,
    eventId: '01J00000000000000000000001',
    eventType: 'assent.approval.decided.v1',
    attempt: n,
    result: 'FAILED',
    outcome: 'retrying',
    httpStatus: 503,
    error: 'HTTP 503',
    durationMs: 12,
    at: new Date(Date.UTC(2030, 0, 1, 0, 0, n)),
    ...patch,
  });
  const ep1 = '01J000000000000000000000E1';
  const ep2 = '01J000000000000000000000E2';

  describe(`AttemptLog contract: ${name}`, () => {
    it('lists an endpoint attempts newest first, whole', async () => {
      const log = await make();
      const t = tenantOf();
      const a1 = attempt(t, ep1, 1);
      const a2 = attempt(t, ep1, 2, { result: 'SUCCEEDED', outcome: 'delivered', httpStatus: 204, error: '' });
      await log.record(a1);
      await log.record(a2);
      expect(await log.list(t, ep1, 10)).toEqual([a2, a1]);
    });

    it('returns at most limit attempts, the newest ones', async () => {
      const log = await make();
      const t = tenantOf();
      for (let n = 1; n <= 5; n++) await log.record(attempt(t, ep1, n));
      expect((await log.list(t, ep1, 2)).map((a) => a.attempt)).toEqual([5, 4]);
    });

    it('records an attempt once even when recorded twice', async () => {
      const log = await make();
      const t = tenantOf();
      await log.record(attempt(t, ep1, 1));
      await log.record(attempt(t, ep1, 1));
      expect(await log.list(t, ep1, 10)).toHaveLength(1);
    });

    it('keeps endpoints and tenants apart; no endpoint means all of the tenant', async () => {
      const log = await make();
      const t = tenantOf();
      const other = tenantOf();
      await log.record(attempt(t, ep1, 1));
      await log.record(attempt(t, ep2, 1, { eventId: '01J00000000000000000000002' }));
      await log.record(attempt(other, ep1, 1, { eventId: '01J00000000000000000000003' }));
      expect((await log.list(t, ep2, 10)).map((a) => a.endpointId)).toEqual([ep2]);
      expect((await log.list(t, undefined, 10)).map((a) => a.endpointId)).toEqual([ep2, ep1]);
      expect((await log.list(other, undefined, 10)).map((a) => a.eventId)).toEqual(['01J00000000000000000000003']);
      expect(await log.list(tenantOf(), undefined, 10)).toEqual([]);
    });
  });
}
