import { createHash } from 'node:crypto';
import type { NotificationChannel } from './types.js';

/**
 * The same event to the same destination always gets the same id, so a
 * redelivered event finds the notification it already sent instead of sending again.
 */
export function notificationId(eventId: string, channel: NotificationChannel, destination: string): string {
  return createHash('sha256').update(`${eventId}\n${channel}\n${destination}`).digest('hex').slice(0, 32);
}
