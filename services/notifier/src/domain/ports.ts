import type { SlackBlock } from './slack/blocks.js';
import type { Notification } from './types.js';

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

export interface NotificationRepository {
  get(tenant: string, requestId: string, id: string): Promise<Notification | undefined>;
  /** Records a notification; false if one with this id already exists (it is kept). */
  add(notification: Notification): Promise<boolean>;
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
}
