import { AlreadyExistsError, KvMirror, LruCache, type Logger, streamReplicas, openKvBucket } from '@assent/platform';
import { headers as natsHeaders } from '@nats-io/nats-core';
import type { JetStreamClient } from '@nats-io/jetstream';
import { type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { EndpointRepository } from '../../domain/ports.js';
import type { Endpoint } from '../../domain/types.js';
import type { SecretBox } from '../crypto/secret-box.js';

/** As stored: the signing secret only sealed (compact JWE, see SecretBox), never in the clear. */
type EndpointJson = Omit<Endpoint, 'createdAt' | 'secret'> & {
  createdAt: string;
  sealedSecret?: string;
  /** Records written before secrets were sealed; resealed (history rolled up) at start. */
  secret?: string;
};

export function openEndpointBucket(nc: NatsConnection, bucket: string): Promise<KV> {
  return openKvBucket(nc, bucket, { history: 5, replicas: streamReplicas() });
}

const decode = (entry: KvEntry): EndpointJson => entry.json<EndpointJson>();

/**
 * Endpoints in JetStream KV under `<tenant>.<id>`, read through an in-memory
 * mirror: fan-out looks up a tenant's endpoints on every event, and listing KV
 * keys would cost the server an ephemeral consumer each time.
 *
 * Signing secrets are sealed with envelope encryption (SecretBox) before they are
 * written and opened when read (each sealed value once; opened secrets are kept in
 * memory only). A record sealed under a key that is no longer the primary, or
 * written in the clear by an older version, is resealed at start with a rollup
 * publish, which removes its earlier revisions from the bucket's history.
 */
export class KvEndpointRepository implements EndpointRepository {
  private readonly opened = new LruCache<string, string>(10_000);

  private constructor(
    private readonly mirror: KvMirror<EndpointJson>,
    private readonly box: SecretBox,
    private readonly js: JetStreamClient,
    private readonly bucket: string,
  ) {}

  static async open(kv: KV, opts: { box: SecretBox; js: JetStreamClient; bucket: string; logger: Logger }): Promise<KvEndpointRepository> {
    const repo = new KvEndpointRepository(await KvMirror.start(kv, decode, opts.logger), opts.box, opts.js, opts.bucket);
    const resealed = await repo.resealStale();
    if (resealed) opts.logger.info({ resealed, primaryKey: opts.box.primary }, 'webhook secrets resealed under the primary key');
    return repo;
  }

  async create(endpoint: Endpoint): Promise<void> {
    const key = `${endpoint.tenant}.${endpoint.id}`;
    try {
      await this.mirror.create(key, JSON.stringify(await this.toJson(endpoint)));
    } catch (err) {
      if (this.mirror.get(key)) throw new AlreadyExistsError(`endpoint "${endpoint.id}" already exists`);
      throw err;
    }
  }

  async get(tenant: string, id: string): Promise<Endpoint | undefined> {
    const stored = this.mirror.get(`${tenant}.${id}`);
    return stored ? this.fromJson(stored) : undefined;
  }

  async list(tenant: string): Promise<Endpoint[]> {
    return Promise.all(this.mirror.withPrefix(`${tenant}.`).map((e) => this.fromJson(e)));
  }

  /** False while the mirror is stale (its watch ended and it is reloading). */
  live(): boolean {
    return this.mirror.live();
  }

  stop(): Promise<void> {
    return this.mirror.stop();
  }

  /** Reseals every record in the clear or under an old key; returns how many. Safe on every replica at once. */
  async resealStale(): Promise<number> {
    let n = 0;
    for (const stored of this.mirror.withPrefix('')) {
      if (stored.sealedSecret && !this.box.stale(stored.sealedSecret)) continue;
      const endpoint = await this.fromJson(stored);
      const h = natsHeaders();
      // Replaces every earlier revision of this key: the old value is gone from history.
      h.set('Nats-Rollup', 'sub');
      await this.mirror.waitFor((await this.js.publish(`$KV.${this.bucket}.${endpoint.tenant}.${endpoint.id}`, JSON.stringify(await this.toJson(endpoint)), { headers: h })).seq);
      n++;
    }
    return n;
  }

  private async toJson(e: Endpoint): Promise<EndpointJson> {
    const { secret, createdAt, ...rest } = e;
    return { ...rest, createdAt: createdAt.toISOString(), sealedSecret: await this.box.seal(secret, `${e.tenant}.${e.id}`) };
  }

  private async fromJson(j: EndpointJson): Promise<Endpoint> {
    const { sealedSecret, secret: legacy, createdAt, ...rest } = j;
    let secret = legacy ?? '';
    if (sealedSecret) {
      const hit = this.opened.get(sealedSecret);
      secret = hit ?? (await this.box.open(sealedSecret, `${j.tenant}.${j.id}`));
      if (hit === undefined) this.opened.set(sealedSecret, secret, Number.POSITIVE_INFINITY);
    }
    return { ...rest, secret, disabled: j.disabled === true, createdAt: new Date(createdAt) };
  }
}
