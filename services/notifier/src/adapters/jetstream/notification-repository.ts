import { streamReplicas, openKvBucket } from '@assent/platform';
import type { JetStreamManager } from '@nats-io/jetstream';
import { type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { NotificationRepository } from '../../domain/ports.js';
import type { Notification, RequestNotifications } from '../../domain/types.js';
import { newestFirst } from '../newest-first.js';

type NotificationJson = Omit<Notification, 'sentAt'> & { sentAt: string };

export const notificationBucket = (root: string): string => `${root.toUpperCase()}_notifier_notifications`;

/** Opens (or creates) the bucket; a record is replaced whole by compare-and-set, so one revision is kept. */
export function openNotificationBucket(nc: NatsConnection, root: string): Promise<KV> {
  return openKvBucket(nc, notificationBucket(root), { history: 1, replicas: streamReplicas() });
}

/** Writes that lost a race re-read and try again; more than this many in a row is not a race. */
const MAX_CONFLICTS = 8;

/**
 * A request's notifications in JetStream KV under one key, `<tenant>.<requestId>`
 * (a JSON array, in the order recorded): the event path does one get, and one
 * compare-and-set write (create, or update at the revision it read) per message
 * sent, so of two replicas handling the same event exactly one record is written.
 * Only ListNotifications without a request id enumerates keys (one stream-info).
 */
export class KvNotificationRepository implements NotificationRepository {
  constructor(
    private readonly kv: KV,
    private readonly jsm: JetStreamManager,
    private readonly bucket: string,
  ) {}

  async forRequest(tenant: string, requestId: string): Promise<RequestNotifications> {
    return decode(tenant, requestId, await this.kv.get(`${tenant}.${requestId}`));
  }

  async add(n: Notification, basis?: RequestNotifications): Promise<{ added: boolean; record: RequestNotifications }> {
    const key = `${n.tenant}.${n.requestId}`;
    let current = basis && basis.tenant === n.tenant && basis.requestId === n.requestId ? basis : await this.forRequest(n.tenant, n.requestId);
    for (let conflicts = 0; ; conflicts++) {
      if (current.notifications.some((x) => x.id === n.id)) return { added: false, record: current };
      const notifications = [...current.notifications, { ...n }];
      const value = JSON.stringify(notifications.map((x) => ({ ...x, sentAt: x.sentAt.toISOString() })));
      try {
        // Revision 0: nothing recorded yet (create also takes over a deleted key).
        const revision = current.revision === 0 ? await this.kv.create(key, value) : await this.kv.update(key, value, current.revision);
        return { added: true, record: { ...current, notifications, revision } };
      } catch (err) {
        // The record moved since it was read: another writer won the race, merge on top of theirs.
        const latest = await this.forRequest(n.tenant, n.requestId);
        if (latest.revision === current.revision || conflicts >= MAX_CONFLICTS) throw err;
        current = latest;
      }
    }
  }

  async list(tenant: string, opts: { requestId?: string; limit: number }): Promise<Notification[]> {
    if (opts.requestId) return (await this.forRequest(tenant, opts.requestId)).notifications.sort(newestFirst).slice(0, opts.limit);
    // The subjects of the bucket's stream name its keys: one stream-info request,
    // where listing KV keys would make the server create a consumer.
    const prefix = `$KV.${this.bucket}.`;
    const info = await this.jsm.streams.info(`KV_${this.bucket}`, { subjects_filter: `${prefix}${tenant}.*` });
    const requestIds = Object.keys(info.state.subjects ?? {}).map((s) => s.slice(prefix.length + tenant.length + 1));
    const records = await Promise.all(requestIds.map((id) => this.forRequest(tenant, id)));
    return records.flatMap((r) => r.notifications).sort(newestFirst).slice(0, opts.limit);
  }
}

function decode(tenant: string, requestId: string, entry: KvEntry | null): RequestNotifications {
  // A deleted key keeps its revision: the next write must be made at it.
  if (!entry || entry.operation !== 'PUT') return { tenant, requestId, notifications: [], revision: entry?.revision ?? 0 };
  const notifications = entry.json<NotificationJson[]>().map((n) => ({ ...n, sentAt: new Date(n.sentAt) }));
  return { tenant, requestId, notifications, revision: entry.revision };
}
