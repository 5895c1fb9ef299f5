import { canonicalView } from './canonical-view.js';
import type { AuditRecord, CanonicalFields, QueryKey, RecordQuery } from './types.js';

export type FilterName = 'actor' | 'action' | 'target' | 'outcome' | 'category';
export const FILTER_NAMES: readonly FilterName[] = ['actor', 'action', 'target', 'outcome', 'category'];

export const queryKeyOf = (r: AuditRecord): QueryKey => ({ time: r.occurredAt.getTime(), sequence: r.sequence });

/** Query order: time, then chain position (unique within a tenant). */
export const compareKeys = (a: QueryKey, b: QueryKey): number => a.time - b.time || a.sequence - b.sequence;

/** The value a record is indexed under for each filter. */
export function filterValues(c: CanonicalFields): Record<FilterName, string> {
  return { actor: c.actor.id, action: c.action, target: `${c.target.kind}/${c.target.id}`, outcome: c.outcome, category: c.category };
}

/** The filters a query sets, as [name, value] pairs. */
export function activeFilters(q: RecordQuery): [FilterName, string][] {
  const out: [FilterName, string][] = [];
  for (const name of FILTER_NAMES) {
    const value = q[name];
    if (value) out.push([name, value]);
  }
  return out;
}

/** Whether a record matches a query's filters and window: what the index answers, checked directly. */
export function matchesQuery(r: AuditRecord, q: RecordQuery): boolean {
  const t = r.occurredAt.getTime();
  if (t < q.since.getTime() || t >= q.until.getTime()) return false;
  const filters = activeFilters(q);
  if (filters.length === 0) return true;
  const c = canonicalView(r);
  if (!c) return false;
  const values = filterValues(c);
  return filters.every(([name, value]) => values[name] === value);
}
