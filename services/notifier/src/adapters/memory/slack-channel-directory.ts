import type { SlackChannelDirectory, TenantSlackChannels } from '../../domain/slack/slack-routes.js';

/** In-memory twin of the per-tenant Slack channel records. */
export class MemorySlackChannelDirectory implements SlackChannelDirectory {
  private readonly records = new Map<string, TenantSlackChannels>();

  constructor(initial: Record<string, TenantSlackChannels> = {}) {
    for (const [tenant, v] of Object.entries(initial)) this.records.set(tenant, v);
  }

  async channelsOf(tenant: string): Promise<TenantSlackChannels | undefined> {
    const r = this.records.get(tenant);
    return r ? { channels: [...r.channels], defaultChannel: r.defaultChannel } : undefined;
  }

  async setChannels(tenant: string, value: TenantSlackChannels): Promise<void> {
    if (!value.channels.length && !value.defaultChannel) this.records.delete(tenant);
    else this.records.set(tenant, { channels: [...value.channels], defaultChannel: value.defaultChannel });
  }
}
