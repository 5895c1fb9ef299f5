import { ConflictError, type AssentEvent } from '@assent/platform/domain';
import type { DelegationRepository } from '../../domain/ports.js';
import type { Delegation, DelegationSet } from '../../domain/types.js';

/**
 * In-memory twin of the JetStream delegation store: each person's set with
 * compare-and-set, the events in `emitted`, and the read model updated at once
 * (as the relay's reaction would).
 */
export class MemoryDelegationRepository implements DelegationRepository {
  private readonly sets = new Map<string, { set: DelegationSet; etag: number }>();
  private readonly active = new Map<string, DelegationSet>();
  readonly emitted: AssentEvent[] = [];

  async head(tenant: string, user: string) {
    const found = this.sets.get(`${tenant}|${user}`);
    return found && structuredClone(found);
  }

  async save(set: DelegationSet, etag: number, events: AssentEvent[]): Promise<void> {
    const key = `${set.tenant}|${set.user}`;
    if ((this.sets.get(key)?.etag ?? 0) !== etag) throw new ConflictError(`delegations of ${set.user} changed concurrently`);
    this.sets.set(key, { set: structuredClone(set), etag: etag + 1 });
    this.emitted.push(...events);
    await this.activate(structuredClone(set));
  }

  async activate(set: DelegationSet): Promise<void> {
    const key = `${set.tenant}|${set.user}`;
    if ((this.active.get(key)?.version ?? 0) <= set.version) this.active.set(key, structuredClone(set));
  }

  async received(tenant: string, user: string): Promise<Delegation[]> {
    return [...this.active.values()].filter((s) => s.tenant === tenant).flatMap((s) => s.delegations.filter((d) => d.to === user).map((d) => structuredClone(d)));
  }
}
