import type { OpenFgaClient } from '@openfga/sdk';
import { GrantTuples, windowEndMs, windowOf, type GrantWindow } from './grant-tuples.js';

/** One grantee tuple the sweep found ended before its cutoff, with a stamp. */
export interface ExpiredGrant {
  user: string;
  object: string;
  window: GrantWindow;
}

export interface SweepResult {
  /** Tuples read. */
  scanned: number;
  /** Grants deleted (grantee tuple and stamp). */
  reaped: number;
  /** Expired grants without a stamp (written before stamps existed): never deleted here. */
  unstamped: number;
  /** Compare-and-deletes refused because the grant changed after it was read; it stays. */
  racesLost: number;
  /** The sweep stopped at its delete budget; the next one carries on. */
  capped: boolean;
}

export interface ExpiredGrantReaperOptions {
  /** Only grants that ended at least this long ago are deleted, so Explain can still say "expired at …". */
  graceSeconds: number;
  /** Deletes a sweep attempts at most (reaped plus races lost). */
  maxDeletes: number;
  /** Tuples per Read (OpenFGA allows 1-100). */
  pageSize?: number;
  /** Runs between a grant's read and its compare-and-delete (tests put a writer here). */
  beforeDelete?: (grant: ExpiredGrant) => Promise<void>;
}

/**
 * Deletes grants whose window ended more than the grace ago, which OpenFGA keeps
 * forever (a condition only stops a tuple from counting). Each goes by
 * compare-and-delete with the stamp of the window read (GrantTuples), so a grant
 * replaced or extended meanwhile stays, and a grant with no stamp is never deleted.
 *
 * OpenFGA's Read cannot list the grantee tuples alone: a tuple_key needs an object,
 * and a type-only object ("grant:") needs a full user as well. So a sweep reads the
 * whole store (Read without a tuple_key, 100 tuples a page) and keeps the grantee
 * tuples of grant objects. It reads to the end (or its budget) before deleting
 * anything: the memory engine's continuation token is an offset, which deletes
 * behind it would shift. Expired grants wait in memory meanwhile, at most the budget.
 *
 * No cache needs telling: CachedRelationStore keeps a grant as its window and judges
 * it against the clock (and keeps it no longer than its end), so an expired grant
 * already answers "no grant" from every layer, before and after it is deleted.
 */
export class ExpiredGrantReaper {
  private readonly tuples: GrantTuples;
  private readonly pageSize: number;

  constructor(
    private readonly fga: OpenFgaClient,
    private readonly opts: ExpiredGrantReaperOptions,
  ) {
    this.tuples = new GrantTuples(fga);
    this.pageSize = Math.min(100, Math.max(1, opts.pageSize ?? 100));
  }

  async sweep(now: Date, signal?: AbortSignal): Promise<SweepResult> {
    const cutoff = now.getTime() - this.opts.graceSeconds * 1000;
    const result: SweepResult = { scanned: 0, reaped: 0, unstamped: 0, racesLost: 0, capped: false };
    const expired: ExpiredGrant[] = [];
    let token: string | undefined;
    do {
      signal?.throwIfAborted();
      const page = await this.fga.read({}, { pageSize: this.pageSize, ...(token ? { continuationToken: token } : {}) });
      for (const { key } of page.tuples) {
        result.scanned++;
        if (key.relation !== 'grantee' || !key.object.startsWith('grant:')) continue;
        const window = windowOf(key);
        if (!window || windowEndMs(window) > cutoff) continue;
        if (!(await this.tuples.isStamped(key.user, key.object, window))) {
          result.unstamped++;
          continue;
        }
        if (expired.length === this.opts.maxDeletes) {
          result.capped = true;
          break;
        }
        expired.push({ user: key.user, object: key.object, window });
      }
      token = page.continuation_token || undefined;
    } while (token && !result.capped);
    for (const grant of expired) {
      signal?.throwIfAborted();
      await this.opts.beforeDelete?.(grant);
      if (await this.tuples.deleteIfWindow(grant.user, grant.object, grant.window)) result.reaped++;
      else result.racesLost++;
    }
    return result;
  }
}
