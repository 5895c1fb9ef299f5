import type { TenantDirectory } from '@assent/platform/domain';
import type { SlackBlock } from './slack/blocks.js';
import type { Notification, RequestNotifications } from './types.js';

export interface SlackMessage {
  /** Channel name or id for posts; the id (from a post's reply) for updates. */
  channel: string;
  /** Plain fallback shown in notifications and by clients without Block Kit. */
  text: string;
  blocks?: SlackBlock[];
  /** Posts as a reply in this message's thread. */
  threadTs?: string;
}

/** Slack Web API (adapters/slack) or its twin (adapters/memory). Throws DeliveryRejectedError / DeliveryRetryableError. */
export interface SlackGateway {
  /** Posts a message; answers the channel id and the message ts. */
  postMessage(message: SlackMessage): Promise<{ channel: string; ts: string }>;
  /** Replaces the text and blocks of the message at `ts`. */
  updateMessage(message: SlackMessage & { ts: string }): Promise<{ channel: string; ts: string }>;
}

/**
 * Notifications kept per request, all of a request's under one record, so the event
 * path reads once and writes once per message it sends (no key listing).
 */
export interface NotificationRepository {
  /** Every notification about one request, from one read. */
  forRequest(tenant: string, requestId: string): Promise<RequestNotifications>;
  /**
   * Records a notification with the others of its request. If one with its id is
   * already recorded, that one is kept and `added` is false. `basis` (a snapshot of
   * this request read earlier) saves a read while it is still current; a stale one
   * costs a re-read, never a lost record. Answers the request's record after the call.
   */
  add(notification: Notification, basis?: RequestNotifications): Promise<{ added: boolean; record: RequestNotifications }>;
  /** Newest first (by sentAt, then id), optionally only about one request. */
  list(tenant: string, opts: { requestId?: string; limit: number }): Promise<Notification[]>;
}

export interface Clock {
  now(): Date;
}

export interface NotifierDeps {
  /** Undefined when Slack is not configured: Slack notifications are skipped, not failed. */
  slack: SlackGateway | undefined;
  notifications: NotificationRepository;
  clock: Clock;
  defaultSlackChannel: string | undefined;
  /** e.g. https://assent.example.com; links are `${portalBaseUrl}/requests/<tenant>/<id>`. */
  portalBaseUrl: string;
  /** Which tenants exist: listing another's notifications is NOT_FOUND. */
  tenants: TenantDirectory;
}
