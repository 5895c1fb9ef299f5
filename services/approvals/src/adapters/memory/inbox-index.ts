import type { InboxEntry, InboxIndex, InboxTab } from '../../domain/ports.js';
import { DONE_KEPT, inboxEntries } from '../../domain/inbox-entries.js';
import type { ApprovalRequest } from '../../domain/types.js';

const byScore = (a: InboxEntry, b: InboxEntry) => a.score - b.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** In-memory twin of the Redis inbox index (same contract: test/contract/inbox-index.contract.ts). */
export class MemoryInboxIndex implements InboxIndex {
  /** `${tenant}|${tab}|${key}` → id → score */
  private readonly sets = new Map<string, Map<string, number>>();
  /** What each request is filed under, to take it out again. */
  private readonly filed = new Map<string, string[]>();

  private set(key: string): Map<string, number> {
    let s = this.sets.get(key);
    if (!s) this.sets.set(key, (s = new Map()));
    return s;
  }

  async project(r: ApprovalRequest): Promise<void> {
    const e = inboxEntries(r);
    const filedKey = `${r.tenant}|${r.id}`;
    for (const key of this.filed.get(filedKey) ?? []) this.sets.get(key)?.delete(r.id);
    const now: string[] = [];
    for (const subject of e.pending) {
      const key = `${r.tenant}|pending|${subject}`;
      this.set(key).set(r.id, e.score);
      now.push(key);
    }
    for (const s of e.snoozed) {
      const key = `${r.tenant}|snoozed|${s.user}`;
      this.set(key).set(r.id, s.until);
      now.push(key);
    }
    this.filed.set(filedKey, now);
    for (const d of e.done) {
      const set = this.set(`${r.tenant}|done|${d.user}`);
      if (!set.has(r.id)) set.set(r.id, -d.at);
      if (set.size > DONE_KEPT) {
        const oldest = [...set].map(([id, score]) => ({ id, score })).sort(byScore).slice(DONE_KEPT);
        for (const o of oldest) set.delete(o.id);
      }
    }
  }

  async page(tenant: string, tab: InboxTab, keys: string[], after: InboxEntry | undefined, limit: number): Promise<InboxEntry[]> {
    const merged = new Map<string, number>();
    for (const key of keys) for (const [id, score] of this.sets.get(`${tenant}|${tab}|${key}`) ?? []) merged.set(id, score);
    return [...merged]
      .map(([id, score]) => ({ id, score }))
      .filter((e) => !after || byScore(e, after) > 0)
      .sort(byScore)
      .slice(0, limit);
  }
}
