import type { NotificationRepository } from '../../domain/ports.js';
import type { Notification } from '../../domain/types.js';
import { newestFirst } from '../newest-first.js';

/** In-memory twin of the JetStream KV repository; same contract (test/contract/notification-repository.contract.ts). */
export class MemoryNotificationRepository implements NotificationRepository {
  private readonly items = new Map<string, Notification>();

  async get(tenant: string, requestId: string, id: string): Promise<Notification | undefined> {
    const n = this.items.get(`${tenant}|${requestId}|${id}`);
    return n ? { ...n } : undefined;
  }

  async add(notification: Notification): Promise<boolean> {
    const key = `${notification.tenant}|${notification.requestId}|${notification.id}`;
    if (this.items.has(key)) return false;
    this.items.set(key, { ...notification });
    return true;
  }

  async list(tenant: string, opts: { requestId?: string; limit: number }): Promise<Notification[]> {
    return [...this.items.values()]
      .filter((n) => n.tenant === tenant && (opts.requestId === undefined || n.requestId === opts.requestId))
      .sort(newestFirst)
      .slice(0, opts.limit)
      .map((n) => ({ ...n }));
  }
}
