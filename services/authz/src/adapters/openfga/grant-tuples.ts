import { createHash } from 'node:crypto';
import {
  ClientWriteRequestOnDuplicateWrites,
  ClientWriteRequestOnMissingDeletes,
  ErrorCode,
  FgaApiValidationError,
  type OpenFgaClient,
  type TupleKey,
} from '@openfga/sdk';

/** A grant's window as its grantee tuple holds it: `grant_start`, and `grant_duration` in whole seconds. */
export interface GrantWindow {
  startMs: number;
  seconds: number;
}

export const windowEndMs = (w: GrantWindow): number => w.startMs + w.seconds * 1000;
export const sameWindow = (a: GrantWindow, b: GrantWindow): boolean => a.startMs === b.startMs && a.seconds === b.seconds;

/** The window of a grantee tuple's `active_grant` condition; undefined when it has none that reads as one. */
export function windowOf(key: Pick<TupleKey, 'condition'>): GrantWindow | undefined {
  const ctx = key.condition?.context as { grant_start?: unknown; grant_duration?: unknown } | undefined;
  const startMs = typeof ctx?.grant_start === 'string' ? Date.parse(ctx.grant_start) : NaN;
  const seconds = typeof ctx?.grant_duration === 'string' ? Number(/^(\d+)s$/.exec(ctx.grant_duration)?.[1] ?? NaN) : NaN;
  return Number.isFinite(startMs) && Number.isFinite(seconds) ? { startMs, seconds } : undefined;
}

export function granteeTuple(user: string, object: string, w: GrantWindow): TupleKey {
  return {
    user,
    relation: 'grantee',
    object,
    condition: { name: 'active_grant', context: { grant_start: new Date(w.startMs).toISOString(), grant_duration: `${w.seconds}s` } },
  };
}

/**
 * The stamp of one grantee tuple's exact window: `grant_window:<grant id>_<user
 * hash>_<startMs>_<endMs>` related to the grant object by `stamp`. A tuple's key
 * (user, relation, object) leaves its condition out, so deleting a grantee tuple
 * deletes whatever window it has now; deleting it together with the stamp of the
 * window that was read, in one Write, deletes it only if it still has that window.
 * The user is in the id (as a hash: user ids may be long) because several users'
 * grants share one grant object and may share a window. OpenFGA's id rules: an
 * object is `type:id` with one ":", no "#" or whitespace, at most 256 bytes; here
 * the grant id is `<tenant, at most 63>/<40 hex>`, so a stamp stays under 180.
 */
export function stampTuple(user: string, object: string, w: GrantWindow): TupleKey {
  const grantId = object.slice(object.indexOf(':') + 1);
  const userHash = createHash('sha256').update(user).digest('hex').slice(0, 16);
  return { user: `grant_window:${grantId}_${userHash}_${w.startMs}_${windowEndMs(w)}`, relation: 'stamp', object };
}

const failOnMissing = { conflict: { onMissingDeletes: ClientWriteRequestOnMissingDeletes.Error } };
const ignoreDuplicates = { conflict: { onDuplicateWrites: ClientWriteRequestOnDuplicateWrites.Ignore } };

/**
 * A Write that OpenFGA refused because the tuples were not as expected: a delete of
 * a missing tuple (400 write_failed_due_to_invalid_input), or a conflict (409: a
 * tuple written with another condition, or changed by a concurrent transaction).
 */
function refusedAsStale(err: unknown): boolean {
  if (err instanceof FgaApiValidationError) return err.apiErrorCode === ErrorCode.WriteFailedDueToInvalidInput;
  return (err as { statusCode?: number }).statusCode === 409;
}

/**
 * Compare-and-delete for grant tuples, through OpenFGA's atomic Write. Every
 * deletion of a grantee tuple goes through here, so none can remove a window
 * other than the one its caller read.
 */
export class GrantTuples {
  constructor(private readonly fga: OpenFgaClient) {}

  /** The user's grantee tuple on the grant object (undefined: none); its window is undefined if unreadable. */
  async read(user: string, object: string): Promise<{ window: GrantWindow | undefined } | undefined> {
    const res = await this.fga.read({ user, relation: 'grantee', object });
    const key = res.tuples[0]?.key;
    return key && { window: windowOf(key) };
  }

  async isStamped(user: string, object: string, w: GrantWindow): Promise<boolean> {
    return (await this.fga.read(stampTuple(user, object, w))).tuples.length > 0;
  }

  /**
   * Deletes the grantee tuple and the stamp of window `w` in one Write that fails as
   * a whole if either is missing. False when it failed so and nothing was deleted:
   * the grant was replaced, extended or removed since `w` was read, or it has no
   * stamp (written before stamps existed).
   */
  async deleteIfWindow(user: string, object: string, w: GrantWindow): Promise<boolean> {
    try {
      await this.fga.write({ deletes: [{ user, relation: 'grantee', object }, stampTuple(user, object, w)] }, failOnMissing);
      return true;
    } catch (err) {
      if (refusedAsStale(err)) return false;
      throw err;
    }
  }

  /**
   * Stamps a grant written before stamps, if it still has window `w`: the grantee
   * tuple is written again exactly as read (a duplicate, ignored) with the stamp, and
   * OpenFGA refuses the whole Write (409) if the tuple has another window by now.
   * Should the tuple have been deleted meanwhile, this writes it back for the moment
   * until the caller's compare-and-delete that follows.
   */
  async stampIfWindow(user: string, object: string, w: GrantWindow): Promise<boolean> {
    try {
      await this.fga.write({ writes: [granteeTuple(user, object, w), stampTuple(user, object, w)] }, ignoreDuplicates);
      return true;
    } catch (err) {
      if (refusedAsStale(err)) return false;
      throw err;
    }
  }

  /**
   * Removes the grant with window `w`, stamped or not (a writer or a revocation must
   * be able to remove a grant from before stamps; the reaper never calls this). False
   * when the tuple no longer has window `w`: then the caller reads again and decides.
   */
  async removeWindow(user: string, object: string, w: GrantWindow): Promise<boolean> {
    if (await this.deleteIfWindow(user, object, w)) return true;
    const now = await this.read(user, object);
    if (!now?.window || !sameWindow(now.window, w)) return false;
    // Still that window, so its stamp is what is missing: stamp it, then compare-and-delete.
    return (await this.stampIfWindow(user, object, w)) && (await this.deleteIfWindow(user, object, w));
  }
}
