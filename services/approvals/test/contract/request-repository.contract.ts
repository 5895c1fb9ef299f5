import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, ConflictError } from '@assent/platform';
import { ulid } from 'ulid';
import type { RequestRepository } from '../../src/domain/ports.js';
import { pendingRequest } from './request-watcher.contract.js';

/** One contract for every RequestRepository: the JetStream state stream and its in-memory twin. */
export function requestRepositoryContract(name: string, make: () => Promise<RequestRepository>, tenantOf: () => string): void {
  describe(`RequestRepository contract: ${name}`, () => {
    it('creates once per id, returning every field intact', async () => {
      const repo = await make();
      const r = { ...pendingRequest(tenantOf()), votes: [{ approver: 'bob', outcome: 'APPROVE' as const, comment: 'ok', at: new Date('2030-01-01T00:00:01.500Z'), submission: 1, eligibleFor: ['approvers'], acknowledged: [] }] };
      const created = await repo.create(r, []);
      expect(await repo.get(r.tenant, r.id)).toEqual({ request: r, etag: created.etag });
      await expect(repo.create({ ...r, justification: 'again' }, [])).rejects.toBeInstanceOf(AlreadyExistsError);
      expect((await repo.get(r.tenant, r.id))?.request.justification).toBe(r.justification);
      expect(await repo.get(r.tenant, ulid())).toBeUndefined();
      expect(await repo.get(`${r.tenant}-x`, r.id)).toBeUndefined();
    });

    it('updates only from the current etag, and the etag grows', async () => {
      const repo = await make();
      const r = pendingRequest(tenantOf());
      const v1 = await repo.create(r, []);
      const v2 = await repo.update({ ...r, state: 'APPROVED', version: 2, decidedAt: new Date('2030-01-01T00:01:00.000Z') }, v1.etag, []);
      expect(v2.etag).toBeGreaterThan(v1.etag);
      await expect(repo.update({ ...r, state: 'DECLINED', version: 2 }, v1.etag, [])).rejects.toBeInstanceOf(ConflictError);
      expect(await repo.get(r.tenant, r.id)).toMatchObject({ etag: v2.etag, request: { state: 'APPROVED', version: 2 } });
    });

    it('lists a tenant newest first, filtered by state, in pages', async () => {
      const repo = await make();
      const tenant = tenantOf();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = pendingRequest(tenant);
        ids.push(r.id);
        const v1 = await repo.create(r, []);
        if (i === 0) await repo.update({ ...r, state: 'DECLINED', version: 2 }, v1.etag, []);
      }
      await repo.create(pendingRequest(`${tenant}-x`), []);
      const p1 = await repo.list(tenant, { state: undefined, limit: 2, after: undefined });
      expect(p1.requests.map((r) => r.id)).toEqual([ids[2], ids[1]]);
      const p2 = await repo.list(tenant, { state: undefined, limit: 2, after: p1.next });
      expect(p2.requests.map((r) => r.id)).toEqual([ids[0]]);
      expect(p2.next).toBeUndefined();
      expect((await repo.list(tenant, { state: 'DECLINED', limit: 10, after: undefined })).requests.map((r) => r.id)).toEqual([ids[0]]);
    });
  });
}
