import type { Notification } from '../domain/types.js';

/** The listing order every repository shares: newest first, ties by id so pages are stable. */
export function newestFirst(a: Notification, b: Notification): number {
  return b.sentAt.getTime() - a.sentAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
