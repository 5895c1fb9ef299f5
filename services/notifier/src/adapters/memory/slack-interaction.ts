import type { ReplayGuard, SlackApprovals, SlackAttemptAudit, SlackDecision, SlackInteractionApi, SlackModal, SlackUserDirectory } from '../../domain/slack/interaction-ports.js';

/** In-memory twin of the per-tenant Slack user directory. */
export class MemorySlackUserDirectory implements SlackUserDirectory {
  private readonly tenants = new Map<string, { team: string; users: Map<string, string> }>();

  async principalOf(tenant: string, team: string, slackUser: string): Promise<string | undefined> {
    const t = this.tenants.get(tenant);
    return t && t.team === team ? t.users.get(slackUser) : undefined;
  }

  async slackUserOf(tenant: string, principal: string): Promise<string | undefined> {
    for (const [user, p] of this.tenants.get(tenant)?.users ?? []) if (p === principal) return user;
    return undefined;
  }

  async set(tenant: string, team: string, slackUser: string, principal: string): Promise<void> {
    const t = this.tenants.get(tenant);
    const users = t && t.team === team ? t.users : new Map<string, string>();
    for (const [u, p] of users) if (p === principal) users.delete(u);
    users.set(slackUser, principal);
    this.tenants.set(tenant, { team, users });
  }

  async remove(tenant: string, slackUser: string): Promise<boolean> {
    return this.tenants.get(tenant)?.users.delete(slackUser) ?? false;
  }

  async list(tenant: string): Promise<{ team: string; links: { slackUser: string; principal: string }[] } | undefined> {
    const t = this.tenants.get(tenant);
    if (!t) return undefined;
    return { team: t.team, links: [...t.users].map(([slackUser, principal]) => ({ slackUser, principal })).sort((a, b) => a.principal.localeCompare(b.principal)) };
  }
}

/** In-memory twin of the Redis replay guard (expiry by the given clock). */
export class MemoryReplayGuard implements ReplayGuard {
  private readonly seen = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}

  async first(key: string, ttlMs: number): Promise<boolean> {
    const until = this.seen.get(key);
    if (until !== undefined && until > this.now()) return false;
    this.seen.set(key, this.now() + ttlMs);
    return true;
  }
}

/** Records what the notifier asked of Slack for an interaction. */
export class MemorySlackInteractionApi implements SlackInteractionApi {
  readonly modals: { triggerId: string; view: SlackModal }[] = [];
  readonly ephemeral: { responseUrl: string; text: string }[] = [];
  async openModal(triggerId: string, view: SlackModal): Promise<void> {
    this.modals.push({ triggerId, view });
  }
  async respondEphemeral(responseUrl: string, text: string): Promise<void> {
    this.ephemeral.push({ responseUrl, text });
  }
}

/** Records decisions; `refuse` makes the next one throw (as approvals would). */
export class MemorySlackApprovals implements SlackApprovals {
  readonly acted: { tenant: string; principal: string; requestId: string; decision: SlackDecision; reason: string }[] = [];
  refuse: Error | undefined;
  async act(person: { tenant: string; principal: string }, requestId: string, decision: SlackDecision, reason: string): Promise<void> {
    const err = this.refuse;
    this.refuse = undefined;
    if (err) throw err;
    this.acted.push({ ...person, requestId, decision, reason });
  }
}

export class MemorySlackAttemptAudit implements SlackAttemptAudit {
  readonly refusals: Parameters<SlackAttemptAudit['refused']>[0][] = [];
  async refused(attempt: Parameters<SlackAttemptAudit['refused']>[0]): Promise<void> {
    this.refusals.push(attempt);
  }
}
