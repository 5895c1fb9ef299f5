import { ConflictError, streamReplicas, openKvBucket } from '@assent/platform';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { LineageIndex } from '../../domain/ports.js';
import type { Lineage } from '../../domain/types.js';

const lostRace = (err: unknown) =>
  err instanceof JetStreamApiError &&
  (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);

type LineageJson = Omit<Lineage, 'openedAt'> & { openedAt: string[] };

/**
 * The lineage index in the `<ROOT>_approvals_lineage` KV bucket, one key per
 * (tenant, requester/action/resource hash); JetStream's per-key sequence is the
 * compare-and-set arbiter, so it holds with any number of replicas.
 */
export class KvLineageIndex implements LineageIndex {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, root: string): Promise<KvLineageIndex> {
    return new KvLineageIndex(await openKvBucket(nc, `${root.toUpperCase()}_approvals_lineage`, { history: 1, replicas: streamReplicas() }));
  }

  async get(tenant: string, key: string) {
    const e = await this.kv.get(`${tenant}.${key}`);
    if (!e || e.operation !== 'PUT') return undefined;
    const j = e.json<LineageJson>();
    return { lineage: { ...j, openedAt: j.openedAt.map((t) => new Date(t)) }, etag: e.revision };
  }

  async save(tenant: string, key: string, lineage: Lineage, etag: number): Promise<void> {
    const k = `${tenant}.${key}`;
    const value = JSON.stringify({ ...lineage, openedAt: lineage.openedAt.map((t) => t.toISOString()) } satisfies LineageJson);
    try {
      if (etag === 0) await this.kv.create(k, value);
      else await this.kv.update(k, value, etag);
    } catch (err) {
      if (lostRace(err)) throw new ConflictError(`lineage ${key} changed concurrently`);
      throw err;
    }
  }
}
