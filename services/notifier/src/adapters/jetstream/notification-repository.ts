import type { JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { NotificationRepository } from '../../domain/ports.js';
import type { Notification } from '../../domain/types.js';
import { newestFirst } from '../newest-first.js';

type NotificationJson = Omit<Notification, 'sentAt'> & { sentAt: string };

export const notificationBucket = (root: string): string => `${root.toUpperCase()}_notifier_notifications`;

/** Opens (or creates) the bucket; records never change, so one revision is kept. */
export function openNotificationBucket(nc: NatsConnection, root: string): Promise<KV> {
  return new Kvm(nc).create(notificationBucket(root), { history: 1 });
}

/**
 * Notifications in JetStream KV under `<tenant>.<requestId>.<notificationId>`:
 * tenant-scoped keys, one request's notifications under one prefix. `add` is a
 * KV create (compare-and-set on "no value yet"), so of two replicas handling
 * the same event exactly one record is written.
 */
export class KvNotificationRepository implements NotificationRepository {
  constructor(
    private readonly kv: KV,
    private readonly jsm: JetStreamManager,
    private readonly bucket: string,
  ) {}

  async get(tenant: string, requestId: string, id: string): Promise<Notification | undefined> {
    const entry = await this.kv.get(`${tenant}.${requestId}.${id}`);
    if (!entry || entry.operation !== 'PUT') return undefined;
    const n = entry.json<NotificationJson>();
    return { ...n, sentAt: new Date(n.sentAt) };
  }

  async add(n: Notification): Promise<boolean> {
    try {
      await this.kv.create(`${n.tenant}.${n.requestId}.${n.id}`, JSON.stringify({ ...n, sentAt: n.sentAt.toISOString() }));
      return true;
    } catch (err) {
      if (await this.get(n.tenant, n.requestId, n.id)) return false;
      throw err;
    }
  }

  async list(tenant: string, opts: { requestId?: string; limit: number }): Promise<Notification[]> {
    // The subjects of the bucket's stream name its keys: one stream-info request,
    // where listing KV keys would make the server create a consumer (this runs
    // on every approval event).
    const prefix = `$KV.${this.bucket}.`;
    const filter = `${prefix}${opts.requestId ? `${tenant}.${opts.requestId}.*` : `${tenant}.>`}`;
    const info = await this.jsm.streams.info(`KV_${this.bucket}`, { subjects_filter: filter });
    const keys = Object.keys(info.state.subjects ?? {}).map((s) => s.slice(prefix.length));
    const all = await Promise.all(
      keys.map((k) => {
        const [, requestId = '', id = ''] = k.split('.');
        return this.get(tenant, requestId, id);
      }),
    );
    return all.filter((n): n is Notification => n !== undefined).sort(newestFirst).slice(0, opts.limit);
  }
}
