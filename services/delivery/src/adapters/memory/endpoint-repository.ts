import { AlreadyExistsError } from '@assent/platform/domain';
import type { EndpointRepository } from '../../domain/ports.js';
import type { Endpoint } from '../../domain/types.js';

/** In-memory twin of the KV endpoint repository; same contract (test/contract/endpoint-repository.contract.ts). */
export class MemoryEndpointRepository implements EndpointRepository {
  private readonly endpoints = new Map<string, Endpoint>();

  async create(endpoint: Endpoint): Promise<void> {
    const key = `${endpoint.tenant}.${endpoint.id}`;
    if (this.endpoints.has(key)) throw new AlreadyExistsError(`endpoint "${endpoint.id}" already exists`);
    this.endpoints.set(key, structuredClone(endpoint));
  }

  async get(tenant: string, id: string): Promise<Endpoint | undefined> {
    const e = this.endpoints.get(`${tenant}.${id}`);
    return e && structuredClone(e);
  }

  async list(tenant: string): Promise<Endpoint[]> {
    return [...this.endpoints.values()]
      .filter((e) => e.tenant === tenant)
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((e) => structuredClone(e));
  }

  /** Test helper: operators disable endpoints (no RPC for it yet). */
  async setDisabled(tenant: string, id: string, disabled: boolean): Promise<void> {
    const e = this.endpoints.get(`${tenant}.${id}`);
    if (e) e.disabled = disabled;
  }
}
