import { ConflictError } from '@assent/platform/domain';
import type { AppendResult, AuditLog } from '../../domain/ports.js';
import { compareKeys, matchesQuery, queryKeyOf } from '../../domain/query-order.js';
import { matchesFilters } from '../../domain/record-filters.js';
import type { AuditRecord, Cursor, QueryPage, QueryPosition, RecordFilters, RecordPage, RecordQuery } from '../../domain/types.js';

const copy = (r: AuditRecord): AuditRecord => structuredClone(r);

/** In-memory twin of the JetStream audit log; a cursor is a position in the tenant's chain. */
export class MemoryAuditLog implements AuditLog {
  private readonly chains = new Map<string, AuditRecord[]>();
  private readonly eventIds = new Map<string, Set<string>>();

  private chain(tenant: string): AuditRecord[] {
    let chain = this.chains.get(tenant);
    if (!chain) this.chains.set(tenant, (chain = []));
    return chain;
  }

  async head(tenant: string): Promise<AuditRecord | undefined> {
    const last = this.chains.get(tenant)?.at(-1);
    return last && copy(last);
  }

  async append(records: AuditRecord[], expectedHeadSequence: number): Promise<AppendResult> {
    const first = records[0];
    if (!first) return { duplicate: false };
    records.forEach((r, i) => {
      if (r.sequence !== expectedHeadSequence + 1 + i) throw new Error(`record sequence ${r.sequence} does not follow ${expectedHeadSequence + i}`);
      if (r.tenant !== first.tenant) throw new Error('records of several tenants in one append');
    });
    const ids = this.eventIds.get(first.tenant) ?? new Set<string>();
    // Like the stream's Nats-Msg-Id dedupe, a re-sent event is not a conflict.
    if (ids.has(first.eventId)) return { duplicate: true };
    const chain = this.chain(first.tenant);
    if (chain.length !== expectedHeadSequence) {
      throw new ConflictError(`audit chain of "${first.tenant}" is at ${chain.length}, not ${expectedHeadSequence}`);
    }
    for (const r of records) {
      chain.push(copy(r));
      ids.add(r.eventId);
    }
    this.eventIds.set(first.tenant, ids);
    return { duplicate: false };
  }

  async hasEvent(tenant: string, eventId: string): Promise<boolean> {
    return this.eventIds.get(tenant)?.has(eventId) ?? false;
  }

  async knownEvents(tenant: string, eventIds: string[]): Promise<Set<string>> {
    const ids = this.eventIds.get(tenant);
    return new Set(eventIds.filter((id) => ids?.has(id)));
  }

  async list(tenant: string, after: Cursor, limit: number, filters: RecordFilters): Promise<RecordPage> {
    const chain = this.chains.get(tenant) ?? [];
    const found: AuditRecord[] = [];
    let last = after;
    for (let i = after; i < chain.length; i++) {
      const record = chain[i] as AuditRecord;
      if (!matchesFilters(record, filters)) continue;
      // A match beyond the page means another page exists.
      if (found.length === limit) return { records: found, next: last };
      found.push(copy(record));
      last = i + 1;
    }
    return { records: found, next: undefined };
  }

  /** Scans the chain: fine for a twin, which is why the JetStream adapter has an index. */
  async query(tenant: string, query: RecordQuery, position: QueryPosition, limit: number): Promise<QueryPage> {
    const { after, before } = position;
    const matching = (this.chains.get(tenant) ?? [])
      .filter((r) => matchesQuery(r, query))
      .filter((r) => (!after || compareKeys(queryKeyOf(r), after) > 0) && (!before || compareKeys(queryKeyOf(r), before) < 0))
      .sort((a, b) => compareKeys(queryKeyOf(a), queryKeyOf(b)));
    const page = before && !after ? matching.slice(Math.max(0, matching.length - limit)) : matching.slice(0, limit);
    return { records: page.map(copy), more: matching.length > limit };
  }

  async *all(tenant: string): AsyncIterable<AuditRecord> {
    for (const record of [...(this.chains.get(tenant) ?? [])]) yield copy(record);
  }

  /**
   * Rewrites a stored record in place, bypassing the chain: what an attacker with
   * write access to the store could do. For tests and demos of VerifyChain.
   */
  tamper(tenant: string, sequence: number, change: (record: AuditRecord) => AuditRecord | undefined): void {
    const chain = this.chain(tenant);
    const index = chain.findIndex((r) => r.sequence === sequence);
    if (index < 0) throw new Error(`no record ${sequence} in tenant "${tenant}"`);
    const changed = change(copy(chain[index] as AuditRecord));
    if (changed) chain[index] = changed;
    else chain.splice(index, 1);
  }
}
