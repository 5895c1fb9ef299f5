import { describe, expect, it } from 'vitest';
import type { NotificationRepository } from '../../src/domain/ports.js';
import { notification, ulidLike } from '../support/fixtures.js';

/** One contract for every NotificationRepository: JetStream KV and its in-memory twin. */
export function notificationRepositoryContract(name: string, make: () => Promise<NotificationRepository>, tenantOf: () => string): void {
  describe(`NotificationRepository contract: ${name}`, () => {
    it('stores a notification once and returns it with its fields intact', async () => {
      const repo = await make();
      const n = notification({ tenant: tenantOf(), sentAt: new Date('2030-01-01T10:00:00.123Z') });
      expect(await repo.add(n)).toBe(true);
      expect(await repo.get(n.tenant, n.requestId, n.id)).toEqual(n);
      expect(await repo.add({ ...n, providerRef: 'C0000000001:9999999999.000100' })).toBe(false);
      expect((await repo.get(n.tenant, n.requestId, n.id))?.providerRef).toBe(n.providerRef);
    });

    it('lists newest first, per request, up to the limit', async () => {
      const repo = await make();
      const tenant = tenantOf();
      const requestId = ulidLike();
      const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));
      const first = notification({ tenant, requestId, sentAt: at(1) });
      const second = notification({ tenant, requestId, sentAt: at(2), eventType: 'assent.approval.decided.v1' });
      const otherRequest = notification({ tenant, sentAt: at(3) });
      for (const n of [second, otherRequest, first]) await repo.add(n);

      expect((await repo.list(tenant, { requestId, limit: 10 })).map((n) => n.id)).toEqual([second.id, first.id]);
      expect((await repo.list(tenant, { limit: 10 })).map((n) => n.id)).toEqual([otherRequest.id, second.id, first.id]);
      expect((await repo.list(tenant, { limit: 2 })).map((n) => n.id)).toEqual([otherRequest.id, second.id]);
      expect(await repo.list(tenant, { requestId: ulidLike(), limit: 10 })).toEqual([]);
    });

    it('never shows one tenant another tenant\'s notifications', async () => {
      const repo = await make();
      const tenant = tenantOf();
      const n = notification({ tenant });
      await repo.add(n);
      const other = `${tenant}-x`;
      expect(await repo.get(other, n.requestId, n.id)).toBeUndefined();
      expect(await repo.list(other, { limit: 10 })).toEqual([]);
      expect(await repo.list(other, { requestId: n.requestId, limit: 10 })).toEqual([]);
    });
  });
}
