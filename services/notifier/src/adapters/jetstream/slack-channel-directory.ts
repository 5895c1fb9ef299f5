import { KvMirror, openKvBucket, streamReplicas, type Logger } from '@assent/platform';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { SlackChannelDirectory, TenantSlackChannels } from '../../domain/slack/slack-routes.js';

export const slackChannelBucket = (root: string): string => `${root.toUpperCase()}_notifier_slack_channels`;

export function openSlackChannelBucket(nc: NatsConnection, root: string): Promise<KV> {
  return openKvBucket(nc, slackChannelBucket(root), { history: 1, replicas: streamReplicas() });
}

interface Record_ {
  channels: string[];
  defaultChannel?: string;
}

/**
 * Each tenant's allowed Slack channels, one KV record per tenant (key: the tenant id),
 * mirrored in memory on every replica: routing an event costs no round trip.
 */
export class KvSlackChannelDirectory implements SlackChannelDirectory {
  private constructor(
    private readonly kv: KV,
    private readonly mirror: KvMirror<Record_>,
  ) {}

  static async open(kv: KV, logger: Logger): Promise<KvSlackChannelDirectory> {
    return new KvSlackChannelDirectory(kv, await KvMirror.start(kv, (e) => e.json<Record_>(), logger));
  }

  live(): boolean {
    return this.mirror.live();
  }

  async channelsOf(tenant: string): Promise<TenantSlackChannels | undefined> {
    const r = this.mirror.get(tenant);
    return r ? { channels: [...r.channels], defaultChannel: r.defaultChannel || undefined } : undefined;
  }

  async setChannels(tenant: string, value: TenantSlackChannels): Promise<void> {
    if (!value.channels.length && !value.defaultChannel) {
      if (!this.mirror.get(tenant)) return;
      await this.kv.delete(tenant);
      await this.mirror.waitUntil(tenant, (v) => v === undefined, 5_000);
      return;
    }
    const record: Record_ = { channels: [...value.channels], ...(value.defaultChannel ? { defaultChannel: value.defaultChannel } : {}) };
    await this.mirror.put(tenant, JSON.stringify(record));
  }

  stop(): Promise<void> {
    return this.mirror.stop();
  }
}
