import { AlreadyExistsError, ConflictError, KvMirror, streamReplicas, type AssentEvent, type Logger, type StreamEntityStore, openKvBucket } from '@assent/platform';
import { type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { DelegationRepository } from '../../domain/ports.js';
import type { Delegation, DelegationSet } from '../../domain/types.js';

export function openDelegationBucket(nc: NatsConnection, root: string): Promise<KV> {
  return openKvBucket(nc, `${root.toUpperCase()}_approvals_delegations`, { history: 1, replicas: streamReplicas() });
}

type DelegationJson = Omit<Delegation, 'startsAt' | 'endsAt' | 'createdAt' | 'ended'> & { startsAt: string; endsAt: string; createdAt: string; ended?: { at: string; by: string } };
/** A person's delegations as stored (state stream) and served (read model). */
export type DelegationSetJson = Omit<DelegationSet, 'delegations'> & { delegations: DelegationJson[] };

export const toSetJson = (s: DelegationSet): DelegationSetJson => ({
  ...s,
  delegations: s.delegations.map((d) => ({
    ...d,
    startsAt: d.startsAt.toISOString(),
    endsAt: d.endsAt.toISOString(),
    createdAt: d.createdAt.toISOString(),
    ended: d.ended && { at: d.ended.at.toISOString(), by: d.ended.by },
  })),
});

export const fromSetJson = (j: DelegationSetJson): DelegationSet => ({
  ...j,
  delegations: j.delegations.map((d) => ({
    ...d,
    startsAt: new Date(d.startsAt),
    endsAt: new Date(d.endsAt),
    createdAt: new Date(d.createdAt),
    ended: d.ended && { at: new Date(d.ended.at), by: d.ended.by },
  })),
});

/** User ids may hold ".", "@" and ":", which subjects and KV keys cannot: base64url is safe in both. */
const entityId = (user: string) => Buffer.from(user, 'utf8').toString('base64url');

/**
 * Delegations on the state stream (<root>.state.delegation.<tenant>.<user, base64url>), one
 * entity per person who gives them, written with compare-and-set and their event
 * in the same message. The relay's reaction puts each version into a KV read model
 * that every replica mirrors in memory, so finding who someone acts for on a vote
 * costs no round trip.
 */
export class JetStreamDelegationRepository implements DelegationRepository {
  private constructor(
    private readonly store: StreamEntityStore<DelegationSetJson>,
    private readonly kv: KV,
    private readonly mirror: KvMirror<DelegationSet>,
  ) {}

  static async open(store: StreamEntityStore<DelegationSetJson>, kv: KV, logger: Logger): Promise<JetStreamDelegationRepository> {
    await store.ensure();
    return new JetStreamDelegationRepository(store, kv, await KvMirror.start(kv, (e) => fromSetJson(e.json<DelegationSetJson>()), logger));
  }

  async head(tenant: string, user: string) {
    const found = await this.store.get(tenant, entityId(user));
    return found && { set: fromSetJson(found.value), etag: found.revision };
  }

  async save(set: DelegationSet, etag: number, events: AssentEvent[]): Promise<void> {
    if (etag !== 0) {
      await this.store.update(set.tenant, entityId(set.user), toSetJson(set), etag, events);
      return;
    }
    try {
      await this.store.create(set.tenant, entityId(set.user), toSetJson(set), events);
    } catch (err) {
      if (err instanceof AlreadyExistsError) throw new ConflictError(err.message);
      throw err;
    }
  }

  async activate(set: DelegationSet): Promise<void> {
    const key = `${set.tenant}.${entityId(set.user)}`;
    // The relay keeps a person's versions in order; this also holds after a redelivery.
    if ((this.mirror.get(key)?.version ?? 0) > set.version) return;
    await this.mirror.put(key, JSON.stringify(toSetJson(set)));
  }

  async received(tenant: string, user: string): Promise<Delegation[]> {
    return this.mirror.withPrefix(`${tenant}.`).flatMap((s) => s.delegations.filter((d) => d.to === user));
  }

  /** False while the mirror is stale (its watch ended and it is reloading). */
  live(): boolean {
    return this.mirror.live();
  }

  stop(): Promise<void> {
    return this.mirror.stop();
  }
}
