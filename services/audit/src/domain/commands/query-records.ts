import { InvalidArgumentError, Violations, assertTenantAccess, requireTenantExists, type Principal } from '@assent/platform/domain';
import { decodeQueryToken, encodeQueryToken } from '../query-page-token.js';
import { queryKeyOf } from '../query-order.js';
import type { AuditDeps } from '../ports.js';
import { recordCategories, recordOutcomes, type AuditRecord, type QueryPosition, type RecordQuery } from '../types.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './list-records.js';

/** The widest window one query may read (GitLab-style bounded audit queries): a page never ranges over more. */
export const MAX_WINDOW_DAYS = 31;
const MAX_WINDOW_MS = MAX_WINDOW_DAYS * 24 * 3_600_000;

export interface QueryRecordsInput {
  tenant: string;
  /** "" = any, for each filter. */
  actor: string;
  action: string;
  /** "kind/id". */
  target: string;
  outcome: string;
  category: string;
  /** Window [since, until) on the record's time; until defaults to now, since to until - 31 days. */
  since: Date | undefined;
  until: Date | undefined;
  /** 0 = default; larger than the maximum is capped (AIP-158). */
  pageSize: number;
  /** A next or previous page token of an earlier response ("" = the window's first page). */
  pageToken: string;
}

export interface QueryRecordsResult {
  records: AuditRecord[];
  nextPageToken: string;
  previousPageToken: string;
  /** The window read (the defaults filled in). */
  since: Date;
  until: Date;
}

function validate(input: QueryRecordsInput): void {
  const v = new Violations().check('tenant', input.tenant, 'tenant');
  for (const field of ['actor', 'action', 'target'] as const) if (input[field].length > 512) v.add(field, 'must be at most 512 characters');
  if (input.target && !/^[^/]+\/.+$/.test(input.target)) v.add('target', 'must be "kind/id", e.g. "request/01J..."');
  if (input.outcome && !(recordOutcomes as readonly string[]).includes(input.outcome)) v.add('outcome', `must be one of ${recordOutcomes.join(', ')}`);
  if (input.category && !(recordCategories as readonly string[]).includes(input.category)) v.add('category', `must be one of ${recordCategories.join(', ')}`);
  for (const field of ['since', 'until'] as const) if (input[field] && Number.isNaN(input[field].getTime())) v.add(field, 'must be a valid time');
  if (!Number.isInteger(input.pageSize) || input.pageSize < 0) v.add('page_size', 'must not be negative');
  v.throwIfAny();
}

/** The window to read: the token's, or the request's with defaults; INVALID_ARGUMENT stating the limit when inverted or too wide. */
function windowOf(input: QueryRecordsInput, now: Date): { since: Date; until: Date } {
  const until = input.until ?? now;
  const since = input.since ?? new Date(until.getTime() - MAX_WINDOW_MS);
  if (since.getTime() >= until.getTime()) throw InvalidArgumentError.field('since', `must be before until (${until.toISOString()}); the window is [since, until)`);
  if (until.getTime() - since.getTime() > MAX_WINDOW_MS) {
    throw InvalidArgumentError.field(input.since ? 'until' : 'since', `the window may span at most ${MAX_WINDOW_DAYS} days per query (asked for ${((until.getTime() - since.getTime()) / 86_400_000).toFixed(1)}); narrow since/until and query again for the rest`);
  }
  return { since, until };
}

/**
 * QueryRecords: the tenant's records matching every filter set, in the window, in
 * time order (oldest first), a page at a time in either direction. The caller must
 * belong to the tenant (PERMISSION_DENIED otherwise, as for ListRecords); the log
 * answers from its index.
 */
export async function queryRecords(deps: AuditDeps, caller: Principal, input: QueryRecordsInput): Promise<QueryRecordsResult> {
  validate(input);
  assertTenantAccess(caller, input.tenant);
  await requireTenantExists(deps.tenants, input.tenant);

  const filters = { actor: input.actor || undefined, action: input.action || undefined, target: input.target || undefined, outcome: input.outcome || undefined, category: input.category || undefined };
  let position: QueryPosition = {};
  let window: { since: Date; until: Date };
  if (input.pageToken) {
    const token = decodeQueryToken(input.pageToken, input.tenant, filters);
    const moved = (asked: Date | undefined, kept: Date) => asked !== undefined && asked.getTime() !== kept.getTime();
    if (moved(input.since, token.since) || moved(input.until, token.until)) throw InvalidArgumentError.field('page_token', 'was issued for a different since/until');
    position = token.position;
    window = { since: token.since, until: token.until };
  } else {
    window = windowOf(input, deps.clock.now());
  }
  const query: RecordQuery = { ...filters, ...window };
  const limit = Math.min(input.pageSize || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const page = await deps.log.query(input.tenant, query, position, limit);

  const first = page.records[0];
  const last = page.records.at(-1);
  let next = '';
  let previous = '';
  if (position.before) {
    // Read backwards: more means earlier records exist; the page we came from is after it.
    if (page.more && first) previous = encodeQueryToken('before', queryKeyOf(first), input.tenant, query);
    const after = last ? queryKeyOf(last) : { time: position.before.time, sequence: position.before.sequence - 1 };
    next = encodeQueryToken('after', after, input.tenant, query);
  } else {
    if (page.more && last) next = encodeQueryToken('after', queryKeyOf(last), input.tenant, query);
    if (position.after) {
      const before = first ? queryKeyOf(first) : { time: position.after.time, sequence: position.after.sequence + 1 };
      previous = encodeQueryToken('before', before, input.tenant, query);
    }
  }
  return { records: page.records, nextPageToken: next, previousPageToken: previous, ...window };
}
