import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '@assent/platform/domain';
import type { Cursor, RecordFilters } from './types.js';

interface TokenBody {
  v: 1;
  /** Position to resume after. */
  c: Cursor;
  /** Binds the token to the query it came from. */
  q: string;
}

function queryKey(tenant: string, filters: RecordFilters): string {
  return createHash('sha256')
    .update(JSON.stringify([tenant, filters.eventType ?? '', filters.subject ?? '']))
    .digest('base64url')
    .slice(0, 16);
}

/**
 * Page tokens are opaque to callers. A forged one can at most skip records of the
 * caller's own tenant (tenant access is checked on every call), so it is not signed;
 * it is bound to the tenant and filters so it cannot silently change the query.
 */
export function encodePageToken(cursor: Cursor, tenant: string, filters: RecordFilters): string {
  const body: TokenBody = { v: 1, c: cursor, q: queryKey(tenant, filters) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function decodePageToken(token: string, tenant: string, filters: RecordFilters): Cursor {
  if (!token) return 0;
  let body: Partial<TokenBody>;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    throw InvalidArgumentError.field('page_token', 'is not a token returned by ListRecords');
  }
  if (body?.v !== 1 || typeof body.c !== 'number' || !Number.isSafeInteger(body.c) || body.c < 0) {
    throw InvalidArgumentError.field('page_token', 'is not a token returned by ListRecords');
  }
  if (body.q !== queryKey(tenant, filters)) {
    throw InvalidArgumentError.field('page_token', 'was issued for a different tenant or filters');
  }
  return body.c;
}
