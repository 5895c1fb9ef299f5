import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '@assent/platform/domain';
import { activeFilters } from './query-order.js';
import type { QueryKey, QueryPosition, RecordQuery } from './types.js';

/** What a QueryRecords page token holds: the direction, the boundary record and the window it was issued for. */
interface TokenBody {
  v: 1;
  /** "a": records after k (next page); "b": records before k (previous page). */
  d: 'a' | 'b';
  /** Boundary [time ms, sequence]. */
  k: [number, number];
  /** The window [since ms, until ms): a default window (until = now) must not move between pages. */
  w: [number, number];
  /** Binds the token to the tenant and filters it came from. */
  q: string;
}

export interface DecodedQueryToken {
  position: QueryPosition;
  since: Date;
  until: Date;
}

function filtersKey(tenant: string, q: RecordQuery): string {
  return createHash('sha256')
    .update(JSON.stringify([tenant, activeFilters(q)]))
    .digest('base64url')
    .slice(0, 16);
}

const BAD = 'is not a page token returned by QueryRecords';
const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n);

/**
 * Opaque to callers and, like ListRecords' tokens, unsigned: a forged one can only
 * move within the caller's own tenant (tenant access is checked on every call). It is
 * bound to the tenant and filters, and carries its window so every page of a query
 * reads the same window.
 */
export function encodeQueryToken(direction: 'after' | 'before', key: QueryKey, tenant: string, q: RecordQuery): string {
  const body: TokenBody = { v: 1, d: direction === 'after' ? 'a' : 'b', k: [key.time, key.sequence], w: [q.since.getTime(), q.until.getTime()], q: filtersKey(tenant, q) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function decodeQueryToken(token: string, tenant: string, q: Omit<RecordQuery, 'since' | 'until'>): DecodedQueryToken {
  let body: Partial<TokenBody>;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    throw InvalidArgumentError.field('page_token', BAD);
  }
  const { k, w } = body ?? {};
  if (body?.v !== 1 || (body.d !== 'a' && body.d !== 'b') || !Array.isArray(k) || !Array.isArray(w) || !k.every(isInt) || !w.every(isInt) || k.length !== 2 || w.length !== 2) {
    throw InvalidArgumentError.field('page_token', BAD);
  }
  const [sinceMs = 0, untilMs = 0] = w;
  const [time = 0, sequence = 0] = k;
  const since = new Date(sinceMs);
  const until = new Date(untilMs);
  if (body.q !== filtersKey(tenant, { ...q, since, until })) throw InvalidArgumentError.field('page_token', 'was issued for a different tenant or filters');
  const key = { time, sequence };
  return { position: body.d === 'a' ? { after: key } : { before: key }, since, until };
}
