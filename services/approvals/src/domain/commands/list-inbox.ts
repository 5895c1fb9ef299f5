import { InvalidArgumentError, PermissionDeniedError, Violations, assertTenantAccess, patterns, type Principal } from '@assent/platform/domain';
import type { ApprovalsDeps, InboxEntry, InboxTab } from '../ports.js';
import { awaitsReview } from '../inbox-entries.js';
import { delegationActive, type ApprovalRequest } from '../types.js';

export const DEFAULT_INBOX_PAGE = 20;
export const MAX_INBOX_PAGE = 100;
/** Index entries looked at per call, at most, before answering with what was found and a cursor. */
const MAX_EXAMINED_PER_PAGE = 10;

export interface InboxFilter {
  action: string;
  requester: string;
  overdueOnly: boolean;
}

export interface InboxItem {
  request: ApprovalRequest;
  /** snoozed tab: when it returns. */
  snoozedUntil: Date | undefined;
  /** done tab: when the caller acted. */
  actedAt: Date | undefined;
}

const encode = (e: InboxEntry) => Buffer.from(`${e.score}:${e.id}`).toString('base64url');
function decode(token: string): InboxEntry {
  const m = /^(-?\d+):([0-9A-HJKMNP-TV-Z]{26})$/.exec(Buffer.from(token, 'base64url').toString());
  if (!m) throw InvalidArgumentError.field('page_token', 'is not a token returned by ListInbox');
  return { score: Number(m[1]), id: m[2] as string };
}

/**
 * The caller's inbox. Pending: requests that still need the caller (directly or
 * through one of their groups), not their own, not yet acted on in this submission,
 * not snoozed, sorted by due time (requests without one last). Snoozed: what the
 * caller set aside, by return time. Done: what the caller acted on, newest first.
 * Filters narrow by action, requester and overdue. Served from the inbox index with
 * cursor pagination, never by scanning the tenant; each entry is re-checked against
 * the stored request, so a stale index entry is skipped, not shown.
 */
export async function listInbox(
  deps: ApprovalsDeps,
  caller: Principal,
  input: { tenant: string; tab: InboxTab; filter: InboxFilter; pageSize: number; pageToken: string },
): Promise<{ items: InboxItem[]; nextPageToken: string }> {
  const v = new Violations().check('tenant', input.tenant, 'tenant');
  if (input.pageSize > MAX_INBOX_PAGE) v.add('page_size', `must be at most ${MAX_INBOX_PAGE}`);
  if (input.filter.action && !patterns.action.test(input.filter.action)) v.add('action', 'must be dotted lowercase words, e.g. "payouts.change_details"');
  if (input.filter.requester && !patterns.user.test(input.filter.requester)) v.add('requester', 'is not a user id');
  v.throwIfAny();
  assertTenantAccess(caller, input.tenant);
  if (caller.kind !== 'user') throw new PermissionDeniedError('an inbox belongs to a person');
  const me = caller.subject;
  const limit = input.pageSize || DEFAULT_INBOX_PAGE;
  let cursor = input.pageToken ? decode(input.pageToken) : undefined;
  const now = deps.clock.now();
  const keys = input.tab === 'pending' ? await pendingKeys(deps, input.tenant, me, now) : [me];
  const items: InboxItem[] = [];
  let examined = 0;
  let exhausted = false;
  while (items.length < limit && examined < limit * MAX_EXAMINED_PER_PAGE) {
    const batch = await deps.inbox.page(input.tenant, input.tab, keys, cursor, limit);
    const loaded = await Promise.all(batch.map((e) => deps.requests.get(input.tenant, e.id)));
    let used = 0;
    for (; used < batch.length && items.length < limit; used++) {
      cursor = batch[used];
      examined++;
      const r = loaded[used]?.request;
      const item = r && matches(r, input.filter, now) ? belongs(r, input.tab, me, now) : undefined;
      if (item) items.push(item);
    }
    // A short batch read to its end: the index has nothing after it.
    if (batch.length < limit && used === batch.length) {
      exhausted = true;
      break;
    }
  }
  return { items, nextPageToken: !exhausted && cursor ? encode(cursor) : '' };
}

/** The approver subjects whose pending requests are the caller's: their own and their groups, and those of anyone away who delegated to them now. */
async function pendingKeys(deps: ApprovalsDeps, tenant: string, me: string, now: Date): Promise<string[]> {
  const away = (await deps.delegations.received(tenant, me)).filter((d) => delegationActive(d, now)).map((d) => d.from);
  const people = [me, ...new Set(away)];
  const groups = await Promise.all(people.map((p) => deps.authz.groupsOf(tenant, p)));
  return [...new Set(people.flatMap((p, i) => [`user:${p}`, ...(groups[i] ?? []).map((g) => `group:${g}#member`)]))];
}

function matches(r: ApprovalRequest, f: InboxFilter, now: Date): boolean {
  if (f.action && r.action !== f.action) return false;
  if (f.requester && r.requester !== f.requester) return false;
  if (f.overdueOnly && !(r.timers.dueAt && r.timers.dueAt <= now)) return false;
  return true;
}

function belongs(r: ApprovalRequest, tab: InboxTab, me: string, now: Date): InboxItem | undefined {
  const snooze = r.snoozes.find((s) => s.user === me && s.until > now);
  if (tab === 'done') {
    const vote = r.votes.find((v) => v.approver === me && v.outcome !== 'COMMENT');
    return vote ? { request: r, snoozedUntil: undefined, actedAt: vote.at } : undefined;
  }
  if (tab === 'pending' && awaitsReview(r) && r.requester !== me) return { request: r, snoozedUntil: undefined, actedAt: undefined };
  if (r.state !== 'PENDING') return undefined;
  if (tab === 'snoozed') return snooze ? { request: r, snoozedUntil: snooze.until, actedAt: undefined } : undefined;
  if (snooze || r.requester === me) return undefined;
  if (r.votes.some((v) => (v.approver === me || v.onBehalfOf === me) && v.submission === r.submission && v.outcome !== 'COMMENT')) return undefined;
  return { request: r, snoozedUntil: undefined, actedAt: undefined };
}
