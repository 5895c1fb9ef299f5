import type { NotificationRepository } from '../../domain/ports.js';
import type { Notification, RequestNotifications } from '../../domain/types.js';
import { newestFirst } from '../newest-first.js';

/** In-memory twin of the JetStream KV repository; same contract (test/contract/notification-repository.contract.ts). */
export class MemoryNotificationRepository implements NotificationRepository {
  private readonly records = new Map<string, { notifications: Notification[]; revision: number }>();
  private revisions = 0;

  async forRequest(tenant: string, requestId: string): Promise<RequestNotifications> {
    const r = this.records.get(`${tenant}|${requestId}`);
    return { tenant, requestId, notifications: (r?.notifications ?? []).map((n) => ({ ...n })), revision: r?.revision ?? 0 };
  }

  // The basis is only a hint that saves the KV adapter a read: what is stored decides.
  async add(n: Notification): Promise<{ added: boolean; record: RequestNotifications }> {
    const key = `${n.tenant}|${n.requestId}`;
    const current = this.records.get(key);
    if (current?.notifications.some((x) => x.id === n.id)) return { added: false, record: await this.forRequest(n.tenant, n.requestId) };
    this.records.set(key, { notifications: [...(current?.notifications ?? []), { ...n }], revision: ++this.revisions });
    return { added: true, record: await this.forRequest(n.tenant, n.requestId) };
  }

  async list(tenant: string, opts: { requestId?: string; limit: number }): Promise<Notification[]> {
    return [...this.records.entries()]
      .filter(([key]) => key.startsWith(`${tenant}|`) && (opts.requestId === undefined || key === `${tenant}|${opts.requestId}`))
      .flatMap(([, r]) => r.notifications)
      .sort(newestFirst)
      .slice(0, opts.limit)
      .map((n) => ({ ...n }));
  }
}
