import { describe, expect, it } from 'vitest';
import { AlreadyExistsError } from '@assent/platform';
import { cryptoIdSource } from '../../src/adapters/crypto/id-source.js';
import type { EndpointRepository } from '../../src/domain/ports.js';
import type { Endpoint } from '../../src/domain/types.js';

/** One contract for every EndpointRepository: JetStream KV and its in-memory twin. */
export function endpointRepositoryContract(name: string, make: () => Promise<EndpointRepository>, tenantOf: () => string): void {
  const endpoint = (tenant: string, patch: Partial<Endpoint> = {}): Endpoint => ({
    id: cryptoIdSource.newId(),
    tenant,
    url: 'https://hooks.example.com/in',
    description: 'ops',
    eventTypes: ['assent.approval.decided.v1'],
    secret: cryptoIdSource.newSecret(),
    createdAt: new Date('2030-01-01T00:00:00.123Z'),
    disabled: false,
    ...patch,
  });

  describe(`EndpointRepository contract: ${name}`, () => {
    it('stores an endpoint and reads it back whole, secret included', async () => {
      const repo = await make();
      const e = endpoint(tenantOf());
      await repo.create(e);
      expect(await repo.get(e.tenant, e.id)).toEqual(e);
    });

    it('refuses a second endpoint with the same id', async () => {
      const repo = await make();
      const e = endpoint(tenantOf());
      await repo.create(e);
      await expect(repo.create({ ...e, url: 'https://other.example.com/' })).rejects.toBeInstanceOf(AlreadyExistsError);
      expect((await repo.get(e.tenant, e.id))?.url).toBe(e.url);
    });

    it('lists only the tenant endpoints, oldest first', async () => {
      const repo = await make();
      const t = tenantOf();
      const other = tenantOf();
      const first = endpoint(t);
      const second = endpoint(t, { eventTypes: [] });
      await repo.create(first);
      await repo.create(second);
      await repo.create(endpoint(other));
      expect((await repo.list(t)).map((e) => e.id)).toEqual([first.id, second.id]);
      expect(await repo.get(other, first.id)).toBeUndefined();
      expect(await repo.list(tenantOf())).toEqual([]);
    });
  });
}
