import { streamReplicas, openKvBucket } from '@assent/platform';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { IdRegistry } from '../openfga/id-registry.js';

const lostRace = (err: unknown) =>
  err instanceof JetStreamApiError &&
  (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);

/** The OpenFGA id registry in the `<ROOT>_authz_openfga` KV bucket: JetStream's per-key sequence is the arbiter. */
export class KvIdRegistry implements IdRegistry {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, root: string): Promise<KvIdRegistry> {
    return new KvIdRegistry(await openKvBucket(nc, `${root.toUpperCase()}_authz_openfga`, { history: 5, replicas: streamReplicas() }));
  }

  async get(key: string): Promise<{ value: string; revision: number } | undefined> {
    const e = await this.kv.get(key);
    return e && e.operation === 'PUT' ? { value: e.string(), revision: e.revision } : undefined;
  }

  async create(key: string, value: string): Promise<boolean> {
    return this.cas(() => this.kv.create(key, value));
  }

  async update(key: string, value: string, revision: number): Promise<boolean> {
    return this.cas(() => this.kv.update(key, value, revision));
  }

  private async cas(write: () => Promise<number>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (err) {
      if (lostRace(err)) return false;
      throw err;
    }
  }
}
