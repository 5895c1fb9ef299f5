/** The Slack channels one tenant's messages may go to (its own record, kept by the notifier). */
export interface TenantSlackChannels {
  /** Channel names (with or without "#") or ids a policy of the tenant may name. */
  channels: string[];
  /** Where requests go whose policy names no channel; it is allowed too. */
  defaultChannel: string | undefined;
}

/** Per-tenant Slack channel records (JetStream KV, mirrored; or the in-memory twin). */
export interface SlackChannelDirectory {
  channelsOf(tenant: string): Promise<TenantSlackChannels | undefined>;
  /** Replaces the tenant's record; an empty list and no default removes it. */
  setChannels(tenant: string, value: TenantSlackChannels): Promise<void>;
}

/**
 * The deploy-time Slack routing of a single-tenant install (NOTIFIER_SLACK_TENANT,
 * NOTIFIER_SLACK_DEFAULT_CHANNEL, NOTIFIER_SLACK_CHANNELS): it applies to that one
 * tenant, and only while it has no record of its own. No other tenant ever uses it.
 */
export interface InstallSlackRoute {
  tenant: string | undefined;
  defaultChannel: string | undefined;
  /** Channels that tenant's policies may name; "*" allows any. */
  channels: readonly string[];
}

export type SlackRoute = { destination: string } | { refused: string };

const norm = (c: string) => c.trim().replace(/^#/, '');

/**
 * Where a request of `tenant` is posted: the policy's channel when it is one of the
 * tenant's, else the tenant's default. A channel that is not the tenant's is refused
 * (never posted, never rerouted elsewhere), so a policy cannot name another tenant's channel.
 */
export async function routeSlack(directory: SlackChannelDirectory | undefined, install: InstallSlackRoute, tenant: string, policyChannel: string): Promise<SlackRoute> {
  const own = await directory?.channelsOf(tenant);
  const route: { channels: readonly string[]; defaultChannel: string | undefined; from: string } | undefined = own
    ? { ...own, from: `tenant ${tenant}'s Slack channels` }
    : install.tenant === tenant
      ? { channels: install.channels, defaultChannel: install.defaultChannel, from: 'NOTIFIER_SLACK_CHANNELS / NOTIFIER_SLACK_DEFAULT_CHANNEL' }
      : undefined;
  if (!route) return { refused: `tenant ${tenant} has no Slack channels (no channel record, and it is not NOTIFIER_SLACK_TENANT)` };
  if (!policyChannel) {
    return route.defaultChannel ? { destination: route.defaultChannel } : { refused: `the policy names no Slack channel and ${route.from} set no default` };
  }
  const wanted = norm(policyChannel);
  const allowed = route.channels.includes('*') && !own ? true : [...route.channels, ...(route.defaultChannel ? [route.defaultChannel] : [])].some((c) => norm(c) === wanted);
  return allowed ? { destination: policyChannel } : { refused: `the policy's Slack channel ${policyChannel} is not among ${route.from}` };
}

/** Whether the tenant may use Slack at all (a record, or the single-tenant install's tenant). */
export async function slackEnabledFor(directory: SlackChannelDirectory | undefined, install: InstallSlackRoute, tenant: string): Promise<boolean> {
  return install.tenant === tenant || (await directory?.channelsOf(tenant)) !== undefined;
}
