import { ConflictError, type AssentEvent } from '@assent/platform/domain';
import type { PolicyRepository } from '../../domain/ports.js';
import type { Policy, PolicyRecord } from '../../domain/types.js';

/**
 * In-memory twin of the JetStream policy store: versions with compare-and-set,
 * their events in `emitted`, and the reaction run at once (as the relay would).
 */
export class MemoryPolicyRepository implements PolicyRepository {
  private readonly versions = new Map<string, PolicyRecord[]>();
  private readonly active = new Map<string, PolicyRecord>();
  private readonly waiters = new Set<() => void>();
  readonly emitted: AssentEvent[] = [];
  /** Wired to activatePolicy by the test fixture; a throw leaves the version stored but not in effect. */
  onSaved: (tenant: string, record: PolicyRecord) => Promise<void> = async (tenant, record) => this.activate(tenant, record);

  async get(tenant: string, action: string): Promise<Policy | undefined> {
    const r = this.active.get(`${tenant}|${action}`);
    return r && structuredClone(r.policy);
  }

  async head(tenant: string, action: string) {
    const all = this.versions.get(`${tenant}|${action}`) ?? [];
    const last = all.at(-1);
    return last && { record: structuredClone(last), etag: all.length };
  }

  async save(tenant: string, record: PolicyRecord, etag: number, events: AssentEvent[]): Promise<void> {
    const key = `${tenant}|${record.policy.action}`;
    const all = this.versions.get(key) ?? [];
    if (all.length !== etag) throw new ConflictError(`policy for ${record.policy.action} changed concurrently`);
    this.versions.set(key, [...all, structuredClone(record)]);
    this.emitted.push(...events);
    await this.onSaved(tenant, structuredClone(record)).catch(() => undefined);
  }

  async activate(tenant: string, record: PolicyRecord): Promise<void> {
    const key = `${tenant}|${record.policy.action}`;
    if ((this.active.get(key)?.version ?? 0) <= record.version) this.active.set(key, structuredClone(record));
    for (const w of this.waiters) w();
  }

  waitActive(tenant: string, action: string, version: number, timeoutMs: number): Promise<boolean> {
    const done = () => (this.active.get(`${tenant}|${action}`)?.version ?? 0) >= version;
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        resolve(false);
      }, timeoutMs);
      this.waiters.add(check);
    });
  }
}
