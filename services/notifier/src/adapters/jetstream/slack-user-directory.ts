import { openKvBucket, streamReplicas } from '@assent/platform';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { SlackUserDirectory } from '../../domain/slack/interaction-ports.js';

export const slackUserBucket = (root: string): string => `${root.toUpperCase()}_notifier_slack_users`;

export function openSlackUserBucket(nc: NatsConnection, root: string): Promise<KV> {
  return openKvBucket(nc, slackUserBucket(root), { history: 1, replicas: streamReplicas() });
}

interface TenantSlack {
  /** The tenant's Slack workspace (team id): users of any other workspace map to nobody here. */
  team: string;
  /** Slack user id → principal. */
  users: Record<string, string>;
}

const MAX_CONFLICTS = 8;

/**
 * One KV record per tenant (key: the tenant id), written by compare-and-set: an
 * interaction costs one get, and a tenant's record can only ever name its own
 * workspace, so a Slack user resolves in the tenant the message belongs to or not at all.
 */
export class KvSlackUserDirectory implements SlackUserDirectory {
  constructor(private readonly kv: KV) {}

  private async read(tenant: string): Promise<{ value: TenantSlack | undefined; revision: number }> {
    const e = await this.kv.get(tenant);
    if (!e || e.operation !== 'PUT') return { value: undefined, revision: e?.revision ?? 0 };
    return { value: e.json<TenantSlack>(), revision: e.revision };
  }

  async principalOf(tenant: string, team: string, slackUser: string): Promise<string | undefined> {
    const { value } = await this.read(tenant);
    return value && value.team === team ? value.users[slackUser] : undefined;
  }

  async slackUserOf(tenant: string, principal: string): Promise<string | undefined> {
    const { value } = await this.read(tenant);
    return Object.entries(value?.users ?? {}).find(([, p]) => p === principal)?.[0];
  }

  async set(tenant: string, team: string, slackUser: string, principal: string): Promise<void> {
    await this.change(tenant, (current) => {
      // Binding another workspace starts the tenant's map afresh: old ids mean nothing there.
      const users = current && current.team === team ? { ...current.users } : {};
      for (const [u, p] of Object.entries(users)) if (p === principal) delete users[u];
      users[slackUser] = principal;
      return { team, users };
    });
  }

  async remove(tenant: string, slackUser: string): Promise<boolean> {
    let removed = false;
    await this.change(tenant, (current) => {
      if (!current || !(slackUser in current.users)) return undefined;
      const users = { ...current.users };
      delete users[slackUser];
      removed = true;
      return { team: current.team, users };
    });
    return removed;
  }

  async list(tenant: string): Promise<{ team: string; links: { slackUser: string; principal: string }[] } | undefined> {
    const { value } = await this.read(tenant);
    if (!value) return undefined;
    const links = Object.entries(value.users).map(([slackUser, principal]) => ({ slackUser, principal }));
    return { team: value.team, links: links.sort((a, b) => a.principal.localeCompare(b.principal)) };
  }

  private async change(tenant: string, fn: (current: TenantSlack | undefined) => TenantSlack | undefined): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const { value, revision } = await this.read(tenant);
      const next = fn(value);
      if (!next) return;
      try {
        if (revision === 0) await this.kv.create(tenant, JSON.stringify(next));
        else await this.kv.update(tenant, JSON.stringify(next), revision);
        return;
      } catch (err) {
        // Only a record that moved since it was read is a race worth another try.
        if ((await this.read(tenant)).revision === revision || attempt >= MAX_CONFLICTS) throw err;
      }
    }
  }
}
