import {
  ClientWriteRequestOnDuplicateWrites,
  ClientWriteRequestOnMissingDeletes,
  ConsistencyPreference,
  FgaApiAuthenticationError,
  FgaApiValidationError,
  FgaValidationError,
  type OpenFgaClient,
  type TupleKey,
} from '@openfga/sdk';
import { UnavailableError } from '@assent/platform';
import type { RelationStore } from '../../domain/ports.js';
import type { Grant } from '../../domain/types.js';
import { OpenFgaCallError, type DecisionReads } from './decision-reads.js';
import { ExpiredGrantReaper, type ExpiredGrantReaperOptions } from './expired-grant-reaper.js';
import { GrantTuples, granteeTuple, stampTuple, windowEndMs, windowOf, type GrantWindow } from './grant-tuples.js';
import { grantKey } from '../../domain/grant-key.js';
import { GrantWriteBatcher } from './grant-write-batcher.js';

const ignoreDuplicates = { conflict: { onDuplicateWrites: ClientWriteRequestOnDuplicateWrites.Ignore } };
const ignoreMissing = { conflict: { onMissingDeletes: ClientWriteRequestOnMissingDeletes.Ignore } };

const tenantObj = (t: string) => `tenant:${t}`;
/**
 * A principal as an OpenFGA user. OpenFGA ids may not contain ":", so an issuer's
 * namespace separator becomes "|" (which user ids never contain): okta:alice → user:okta|alice.
 */
const fgaUser = (principal: string) => `user:${principal.replace(':', '|')}`;
/** A tenant's group: groups are per tenant, so acme's "finance" is group:acme/finance. */
const groupObj = (t: string, g: string) => `group:${t}/${g}`;
const fromFgaUser = (u: string) => u.slice('user:'.length).replace('|', ':');
/** An approver entry ("user:<id>" or "group:<id>#member", in the tenant) as an OpenFGA user. */
const fgaApprover = (tenant: string, approver: string) => {
  if (approver.startsWith('user:')) return fgaUser(approver.slice('user:'.length));
  const group = /^group:(.+)#member$/.exec(approver)?.[1];
  if (!group) throw new Error(`not an approver subject: ${approver}`);
  return `${groupObj(tenant, group)}#member`;
};
const actionObj = (t: string, a: string) => `action:${t}/${a}`;
/**
 * A grant is `grant:<tenant>/<grantKey>` (domain/grant-key.ts): a grant approved
 * under a protection condition is its own object, so an approval for a small refund
 * is not one for a large one; without one the id is as it always was.
 */
const grantObj = (t: string, a: string, r: string, c: string) => `grant:${t}/${grantKey(a, r, c)}`;

/**
 * OpenFGA down, slow or overloaded is UNAVAILABLE for the caller (never an answer);
 * a request OpenFGA rejects as invalid is a bug here and stays an internal error.
 */
async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof FgaApiValidationError || err instanceof FgaValidationError || err instanceof FgaApiAuthenticationError || err instanceof OpenFgaCallError) throw err;
    if (err instanceof UnavailableError) throw err;
    throw new UnavailableError('OpenFGA unavailable', { cause: err });
  }
}

/** How often a grant write or removal reads again after losing a compare-and-delete before it gives up (UNAVAILABLE, retried by its caller). */
const GRANT_ATTEMPTS = 5;

/** A grant's tuples: the action link, the grantee tuple with its window, and that window's stamp (grant-tuples.ts). */
const grantTuples = (grant: Grant) => {
  const object = grantObj(grant.tenant, grant.action, grant.resource, grant.condition);
  const user = fgaUser(grant.principal);
  const window: GrantWindow = { startMs: grant.grantedAt.getTime(), seconds: Math.round((grant.expiresAt.getTime() - grant.grantedAt.getTime()) / 1000) };
  const actionLink: TupleKey = { user: actionObj(grant.tenant, grant.action), relation: 'action', object };
  return { user, object, tuples: [actionLink, granteeTuple(user, object, window), stampTuple(user, object, window)] };
};

export class OpenFgaRelationStore implements RelationStore {
  private readonly grants: GrantWriteBatcher<Grant>;
  private readonly grantTuples: GrantTuples;

  /**
   * `reads` makes the uncached decision's two calls (membership Check, grant Read);
   * `fga` everything else (decision-reads.ts says why they differ).
   */
  constructor(
    private readonly fga: OpenFgaClient,
    private model: string,
    readonly storeId: string,
    private readonly reads: DecisionReads,
  ) {
    this.grantTuples = new GrantTuples(fga);
    // Concurrent grants (approvals under load) share one OpenFGA Write.
    this.grants = new GrantWriteBatcher(
      async (writes) => {
        await this.fga.write({ writes }, ignoreDuplicates);
      },
      (grant) => this.replaceGrant(grant),
    );
  }

  modelId(): string {
    return this.model;
  }

  /**
   * Decides with another model from now on (the current-model pointer moved,
   * connect.ts). Every call of this store, its grant writes and its reaper, goes
   * through the one client, whose default model id the SDK sends with each call.
   */
  useModel(modelId: string): void {
    this.model = modelId;
    this.fga.authorizationModelId = modelId;
  }

  /** The sweep that deletes this store's expired grants (run by grant-reaper-schedule.ts). */
  grantReaper(opts: ExpiredGrantReaperOptions): ExpiredGrantReaper {
    return new ExpiredGrantReaper(this.fga, opts);
  }

  private check(user: string, relation: string, object: string, context?: Record<string, unknown>): Promise<boolean> {
    return guard(() => this.reads.check(this.model, { user, relation, object }, context));
  }

  /** Stops the decision path's connections to OpenFGA. */
  close(): Promise<void> {
    return this.reads.close();
  }

  isMember(tenant: string, user: string): Promise<boolean> {
    return this.check(fgaUser(user), 'member', tenantObj(tenant));
  }

  async addMember(tenant: string, user: string): Promise<void> {
    await guard(() => this.fga.writeTuples([{ user: fgaUser(user), relation: 'member', object: tenantObj(tenant) }], ignoreDuplicates));
  }

  setApprovers(tenant: string, action: string, approvers: string[]): Promise<void> {
    return guard(() => this.replaceApprovers(tenant, action, approvers));
  }

  private async replaceApprovers(tenant: string, action: string, approvers: string[]): Promise<void> {
    const object = actionObj(tenant, action);
    await this.fga.writeTuples([{ user: tenantObj(tenant), relation: 'tenant', object }], ignoreDuplicates);
    const existing = new Set<string>();
    let token: string | undefined;
    do {
      const page = await this.fga.read({ relation: 'approver', object }, { pageSize: 100, ...(token ? { continuationToken: token } : {}) });
      page.tuples.forEach((t) => existing.add(t.key.user));
      token = page.continuation_token || undefined;
    } while (token);
    const wanted = new Set(approvers.map((a) => fgaApprover(tenant, a)));
    const writes = [...wanted].filter((u) => !existing.has(u)).map((user) => ({ user, relation: 'approver', object }));
    const deletes = [...existing].filter((u) => !wanted.has(u)).map((user) => ({ user, relation: 'approver', object }));
    if (writes.length) await this.fga.writeTuples(writes, ignoreDuplicates);
    if (deletes.length) await this.fga.deleteTuples(deletes, ignoreMissing);
  }

  async addGroupMember(tenant: string, group: string, user: string): Promise<void> {
    await guard(() => this.fga.writeTuples([{ user: fgaUser(user), relation: 'member', object: groupObj(tenant, group) }], ignoreDuplicates));
  }

  async removeGroupMember(tenant: string, group: string, user: string): Promise<void> {
    await guard(() => this.fga.deleteTuples([{ user: fgaUser(user), relation: 'member', object: groupObj(tenant, group) }], ignoreMissing));
  }

  async listGroupMembers(tenant: string, group: string, page: { limit: number; cursor: string | undefined }) {
    const res = await guard(() =>
      this.fga.read({ relation: 'member', object: groupObj(tenant, group) }, { pageSize: page.limit, ...(page.cursor ? { continuationToken: page.cursor } : {}) }),
    );
    return { users: res.tuples.map((t) => fromFgaUser(t.key.user)), next: res.continuation_token || undefined };
  }

  async groupsOf(tenant: string, user: string): Promise<string[]> {
    const res = await guard(() => this.fga.listObjects({ user: fgaUser(user), relation: 'member', type: 'group' }, { consistency: ConsistencyPreference.HigherConsistency }));
    const prefix = `group:${tenant}/`;
    return res.objects
      .filter((o) => o.startsWith(prefix))
      .map((o) => o.slice(prefix.length))
      .sort();
  }

  async matchSubjects(tenant: string, user: string, subjects: string[]): Promise<string[]> {
    // A user subject alone is not enough: only a member of the tenant matches anything.
    if (!(await this.check(fgaUser(user), 'member', tenantObj(tenant)))) return [];
    const checks = await Promise.all(
      subjects.map(async (s) => {
        if (s.startsWith('user:')) return s === `user:${user}`;
        const [object] = fgaApprover(tenant, s).split('#') as [string];
        return this.check(fgaUser(user), 'member', object);
      }),
    );
    return subjects.filter((_, i) => checks[i]);
  }

  isApprover(tenant: string, action: string, user: string): Promise<boolean> {
    return this.check(fgaUser(user), 'approver', actionObj(tenant, action));
  }

  writeGrant(grant: Grant): Promise<void> {
    return guard(() => this.grants.write(grant, grantTuples(grant).tuples));
  }

  /**
   * One grant on its own: written, or replacing the user's grant with another window.
   * A tuple's condition cannot be changed in place, and OpenFGA refuses one Write that
   * deletes and writes the same tuple, so a replacement deletes the window it read
   * (compare-and-delete with its stamp) and then writes; if another writer changed
   * the grant in between, either step fails and it reads again.
   */
  private async replaceGrant(grant: Grant): Promise<void> {
    const { user, object, tuples } = grantTuples(grant);
    for (let attempt = 0; attempt < GRANT_ATTEMPTS; attempt++) {
      try {
        // One write in the common case; identical tuples (a retried grant) are ignored.
        await this.fga.write({ writes: tuples }, ignoreDuplicates);
        return;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 409) throw err;
      }
      // 409: the user has a grant here with another window.
      const current = await this.grantTuples.read(user, object);
      if (current?.window) await this.grantTuples.removeWindow(user, object, current.window);
      // No window to compare with (a condition this code never writes): the old way.
      else if (current) await this.fga.deleteTuples([{ user, relation: 'grantee', object }], ignoreMissing);
    }
    throw new UnavailableError('the grant kept changing while it was being replaced; retry');
  }

  /**
   * Removes the grant only while it is the one that started at `grantedAt` (extended
   * or not): a later grant for the same resource has another start and stays, even
   * one written between the read and the delete.
   */
  async removeGrant(tenant: string, user: string, action: string, resource: string, grantedAt: Date, condition: string): Promise<boolean> {
    const object = grantObj(tenant, action, resource, condition);
    const fgaPrincipal = fgaUser(user);
    return guard(async () => {
      for (let attempt = 0; attempt < GRANT_ATTEMPTS; attempt++) {
        const window = (await this.grantTuples.read(fgaPrincipal, object))?.window;
        if (!window || window.startMs !== grantedAt.getTime()) return false;
        if (await this.grantTuples.removeWindow(fgaPrincipal, object, window)) return true;
      }
      throw new UnavailableError('the grant kept changing while it was being removed; retry');
    });
  }

  async listApprovers(tenant: string, action: string): Promise<string[]> {
    const users = async (relation: string, type: string, id: string) => {
      const res = await guard(() =>
        this.fga.listUsers({ object: { type, id }, relation, user_filters: [{ type: 'user' }] }, { consistency: ConsistencyPreference.HigherConsistency }),
      );
      return res.users.flatMap((u) => (u.object?.type === 'user' ? [fromFgaUser(`user:${u.object.id}`)] : []));
    };
    const [approvers, members] = await Promise.all([users('approver', 'action', actionObj(tenant, action).slice('action:'.length)), users('member', 'tenant', tenant)]);
    const isMember = new Set(members);
    return [...new Set(approvers)].filter((u) => isMember.has(u)).sort();
  }

  async grantFacts(tenant: string, user: string, action: string, resource: string, condition: string) {
    const object = grantObj(tenant, action, resource, condition);
    const [member, tuples] = await Promise.all([this.isMember(tenant, user), guard(() => this.reads.read({ user: fgaUser(user), relation: 'grantee', object }))]);
    const ctx = tuples[0]?.condition?.context as { grant_start?: string; grant_duration?: string } | undefined;
    const seconds = Number(/^(\d+)s$/.exec(ctx?.grant_duration ?? '')?.[1] ?? NaN);
    if (!ctx?.grant_start || !Number.isFinite(seconds)) return { member, window: undefined };
    const start = new Date(ctx.grant_start);
    return { member, window: { start, end: new Date(start.getTime() + seconds * 1000) } };
  }

  /**
   * One OpenFGA Read: the grantee tuple's window, judged here exactly as the model's
   * `active_grant` condition judges it (start ≤ now < start + duration). Membership
   * is the caller's to ask, in parallel (the port says so): checkAccess asks it anyway
   * for DENY, so asking `can_perform` (grantee and requester from action) would ask
   * it twice, and then the window would still need this Read.
   */
  async activeGrant(tenant: string, user: string, action: string, resource: string, now: Date, condition: string): Promise<Date | undefined> {
    const object = grantObj(tenant, action, resource, condition);
    const tuples = await guard(() => this.reads.read({ user: fgaUser(user), relation: 'grantee', object }));
    const w = tuples[0] && windowOf(tuples[0]);
    if (!w) return undefined;
    const end = windowEndMs(w);
    return w.startMs <= now.getTime() && now.getTime() < end ? new Date(end) : undefined;
  }

  async grantsOf(tenant: string, user: string): Promise<{ key: string; start: Date; end: Date }[]> {
    const prefix = `grant:${tenant}/`;
    const found: { key: string; start: Date; end: Date }[] = [];
    let token: string | undefined;
    do {
      // A user and a type-only object: every grantee tuple of the user (OpenFGA's Read needs the user for that).
      const page = await guard(() => this.fga.read({ user: fgaUser(user), relation: 'grantee', object: 'grant:' }, { pageSize: 100, ...(token ? { continuationToken: token } : {}) }));
      for (const t of page.tuples) {
        const w = windowOf(t.key);
        if (w && t.key.object.startsWith(prefix)) found.push({ key: t.key.object.slice(prefix.length), start: new Date(w.startMs), end: new Date(windowEndMs(w)) });
      }
      token = page.continuation_token || undefined;
    } while (token);
    return found;
  }

  async approvableActions(tenant: string, user: string): Promise<string[]> {
    const res = await guard(() => this.fga.listObjects({ user: fgaUser(user), relation: 'approver', type: 'action' }, { consistency: ConsistencyPreference.HigherConsistency }));
    const prefix = actionObj(tenant, '');
    return res.objects.filter((o) => o.startsWith(prefix)).map((o) => o.slice(prefix.length)).sort();
  }
}
