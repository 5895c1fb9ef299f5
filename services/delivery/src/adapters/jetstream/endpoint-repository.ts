import { AlreadyExistsError } from '@assent/platform';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { EndpointRepository } from '../../domain/ports.js';
import type { Endpoint } from '../../domain/types.js';

type EndpointJson = Omit<Endpoint, 'createdAt'> & { createdAt: string };

export function openEndpointBucket(nc: NatsConnection, bucket: string): Promise<KV> {
  return new Kvm(nc).create(bucket, { history: 5 });
}

/** Endpoints in JetStream KV under `<tenant>.<id>`, so a tenant's keys are one wildcard. */
export class KvEndpointRepository implements EndpointRepository {
  constructor(private readonly kv: KV) {}

  async create(endpoint: Endpoint): Promise<void> {
    try {
      await this.kv.create(`${endpoint.tenant}.${endpoint.id}`, JSON.stringify({ ...endpoint, createdAt: endpoint.createdAt.toISOString() }));
    } catch (err) {
      if (await this.get(endpoint.tenant, endpoint.id)) throw new AlreadyExistsError(`endpoint "${endpoint.id}" already exists`);
      throw err;
    }
  }

  async get(tenant: string, id: string): Promise<Endpoint | undefined> {
    const entry = await this.kv.get(`${tenant}.${id}`);
    if (!entry || entry.operation !== 'PUT') return undefined;
    const e = entry.json<EndpointJson>();
    return { ...e, disabled: e.disabled === true, createdAt: new Date(e.createdAt) };
  }

  async list(tenant: string): Promise<Endpoint[]> {
    const keys: string[] = [];
    for await (const key of await this.kv.keys(`${tenant}.*`)) keys.push(key);
    const found = await Promise.all(keys.sort().map((k) => this.get(tenant, k.slice(tenant.length + 1))));
    return found.filter((e): e is Endpoint => e !== undefined);
  }
}
