import { describe, expect, it } from 'vitest';
import type { NotificationRepository } from '../../src/domain/ports.js';
import { notification, ulidLike } from '../support/fixtures.js';

/** One contract for every NotificationRepository: JetStream KV and its in-memory twin. */
export function notificationRepositoryContract(name: string, make: () => Promise<NotificationRepository>, tenantOf: () => string): void {
  describe(`NotificationRepository contract: ${name}`, () => {
    it('stores a notification once and returns it with its fields intact', async () => {
      const repo = await make();
      const n = notification({ tenant: tenantOf(), sentAt: new Date('2030-01-01T10:00:00.123Z') });
      const empty = await repo.forRequest(n.tenant, n.requestId);
      expect(empty).toEqual({ tenant: n.tenant, requestId: n.requestId, notifications: [], revision: 0 });
      const first = await repo.add(n, empty);
      expect(first.added).toBe(true);
      expect(first.record.notifications).toEqual([n]);
      expect(await repo.forRequest(n.tenant, n.requestId)).toEqual(first.record);
      const again = await repo.add({ ...n, providerRef: 'C0000000001:9999999999.000100' });
      expect(again.added).toBe(false);
      expect(again.record.notifications).toEqual([n]);
      expect((await repo.forRequest(n.tenant, n.requestId)).notifications[0]?.providerRef).toBe(n.providerRef);
    });

    it("keeps a request's notifications together, in the order recorded, under one read", async () => {
      const repo = await make();
      const tenant = tenantOf();
      const requestId = ulidLike();
      const requested = notification({ tenant, requestId, sentAt: new Date('2030-01-01T00:00:02Z') });
      const decided = notification({ tenant, requestId, eventType: 'assent.approval.decided.v1', sentAt: new Date('2030-01-01T00:00:01Z') });
      const { record } = await repo.add(requested);
      const after = await repo.add(decided, record);
      expect(after.record.notifications.map((n) => n.id)).toEqual([requested.id, decided.id]);
      expect(after.record.revision).not.toBe(record.revision);
      expect(await repo.forRequest(tenant, requestId)).toEqual(after.record);
    });

    it('loses nothing when written on top of a stale snapshot, and still refuses a duplicate id', async () => {
      const repo = await make();
      const tenant = tenantOf();
      const requestId = ulidLike();
      const stale = await repo.forRequest(tenant, requestId);
      const a = notification({ tenant, requestId });
      const b = notification({ tenant, requestId });
      await repo.add(a, stale);
      // Another replica's snapshot from before `a` was written.
      const late = await repo.add(b, stale);
      expect(late.added).toBe(true);
      expect(late.record.notifications.map((n) => n.id).sort()).toEqual([a.id, b.id].sort());
      expect((await repo.add({ ...a, providerRef: 'C0000000001:1.2' }, stale)).added).toBe(false);
      expect((await repo.forRequest(tenant, requestId)).notifications.map((n) => n.id).sort()).toEqual([a.id, b.id].sort());
    });

    it('records every notification when writers race on one request', async () => {
      const repo = await make();
      const tenant = tenantOf();
      const requestId = ulidLike();
      const basis = await repo.forRequest(tenant, requestId);
      const ns = Array.from({ length: 4 }, () => notification({ tenant, requestId }));
      const results = await Promise.all(ns.map((n) => repo.add(n, basis)));
      expect(results.every((r) => r.added)).toBe(true);
      expect((await repo.forRequest(tenant, requestId)).notifications.map((n) => n.id).sort()).toEqual(ns.map((n) => n.id).sort());
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
      expect((await repo.forRequest(other, n.requestId)).notifications).toEqual([]);
      expect(await repo.list(other, { limit: 10 })).toEqual([]);
      expect(await repo.list(other, { requestId: n.requestId, limit: 10 })).toEqual([]);
    });
  });
}
