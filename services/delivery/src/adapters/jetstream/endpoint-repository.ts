import { AlreadyExistsError, KvMirror, type Logger } from '@assent/platform';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { EndpointRepository } from '../../domain/ports.js';
import type { Endpoint } from '../../domain/types.js';

type EndpointJson = Omit<Endpoint, 'createdAt'> & { createdAt: string };

export function openEndpointBucket(nc: NatsConnection, bucket: string): Promise<KV> {
  return new Kvm(nc).create(bucket, { history: 5 });
}

const decode = (entry: KvEntry): Endpoint => {
  const e = entry.json<EndpointJson>();
  return { ...e, disabled: e.disabled === true, createdAt: new Date(e.createdAt) };
};

/**
 * Endpoints in JetStream KV under `<tenant>.<id>`, read through an in-memory
 * mirror: fan-out looks up a tenant's endpoints on every event, and listing KV
 * keys would cost the server an ephemeral consumer each time.
 */
export class KvEndpointRepository implements EndpointRepository {
  private constructor(private readonly mirror: KvMirror<Endpoint>) {}

  static async open(kv: KV, logger: Logger): Promise<KvEndpointRepository> {
    return new KvEndpointRepository(await KvMirror.start(kv, decode, logger));
  }

  async create(endpoint: Endpoint): Promise<void> {
    const key = `${endpoint.tenant}.${endpoint.id}`;
    try {
      await this.mirror.create(key, JSON.stringify({ ...endpoint, createdAt: endpoint.createdAt.toISOString() }));
    } catch (err) {
      if (this.mirror.get(key)) throw new AlreadyExistsError(`endpoint "${endpoint.id}" already exists`);
      throw err;
    }
  }

  async get(tenant: string, id: string): Promise<Endpoint | undefined> {
    return this.mirror.get(`${tenant}.${id}`);
  }

  async list(tenant: string): Promise<Endpoint[]> {
    return this.mirror.withPrefix(`${tenant}.`);
  }

  /** False while the mirror is stale (its watch ended and it is reloading). */
  live(): boolean {
    return this.mirror.live();
  }

  stop(): Promise<void> {
    return this.mirror.stop();
  }
}
