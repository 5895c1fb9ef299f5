import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenFgaClient, type TupleKey } from '@openfga/sdk';
import { startOpenFga, type RunningOpenFga } from '@assent/testkit';
import { MemoryIdRegistry } from '../src/adapters/memory/id-registry.js';
import { connectOpenFga } from '../src/adapters/openfga/connect.js';
import { OpenFgaHttpReads } from '../src/adapters/openfga/decision-reads.js';
import type { ExpiredGrant, ExpiredGrantReaperOptions } from '../src/adapters/openfga/expired-grant-reaper.js';
import { GrantTuples, windowOf } from '../src/adapters/openfga/grant-tuples.js';
import { OpenFgaRelationStore } from '../src/adapters/openfga/relation-store.js';
import type { Grant } from '../src/domain/types.js';

const HOUR = 3600_000;
const ACTION = 'keys.rotate';
let fga: RunningOpenFga;
let n = 0;

beforeAll(async () => {
  fga = await startOpenFga();
});
afterAll(async () => fga?.stop());

/** A fresh store per test (a sweep reads the whole store), a member and an approver set, and a raw client on the same store. */
async function fixture() {
  const store = await connectOpenFga({ apiUrl: fga.apiUrl, presharedKey: fga.presharedKey, storeName: `reaper-${++n}`, registry: new MemoryIdRegistry() });
  const raw = new OpenFgaClient(fga.clientConfig({ storeId: store.storeId, authorizationModelId: store.modelId() }));
  const t = `tenant-${n}`;
  for (const u of ['alice', 'bob']) await store.addMember(t, u);
  await store.setApprovers(t, ACTION, ['user:carol']);
  const now = new Date();
  const grant = (principal: string, resource: string, startOffsetMs: number, lengthMs: number): Grant => ({
    tenant: t,
    principal,
    action: ACTION,
    resource,
    grantedAt: new Date(now.getTime() + startOffsetMs),
    expiresAt: new Date(now.getTime() + startOffsetMs + lengthMs),
    requestId: '01JAAAAAAAAAAAAAAAAAAAAAAA',
    condition: '',
  });
  const reaper = (opts: Partial<ExpiredGrantReaperOptions> = {}) => store.grantReaper({ graceSeconds: 3600, maxDeletes: 100, ...opts });
  /** Every tuple of a relation in the store, read raw. */
  const tuples = async (relation: string): Promise<TupleKey[]> => {
    const all: TupleKey[] = [];
    let token: string | undefined;
    do {
      const page = await raw.read({}, { pageSize: 100, ...(token ? { continuationToken: token } : {}) });
      all.push(...page.tuples.map((x) => x.key));
      token = page.continuation_token || undefined;
    } while (token);
    return all.filter((k) => k.relation === relation);
  };
  const active = (principal: string, resource: string) => store.activeGrant(t, principal, ACTION, resource, new Date(), '');
  const windowEnd = async (principal: string, resource: string) => (await store.grantFacts(t, principal, ACTION, resource, '')).window?.end.toISOString();
  return { store, raw, t, now, grant, reaper, tuples, active, windowEnd };
}

describe('the expired-grant reaper against OpenFGA', () => {
  it('deletes grants that ended more than the grace ago with their stamps, and leaves live ones and those within the grace', async () => {
    const f = await fixture();
    const old = f.grant('alice', 'key/old', -3 * HOUR, HOUR); // ended 2 h ago
    const recent = f.grant('alice', 'key/recent', -2 * HOUR, 90 * 60_000); // ended 30 min ago
    const live = f.grant('alice', 'key/shared', -HOUR, 2 * HOUR);
    const bobsOld = f.grant('bob', 'key/shared', -5 * HOUR, HOUR); // same grant object as alice's live one
    for (const g of [old, recent, live, bobsOld]) await f.store.writeGrant(g);
    expect(await f.tuples('stamp')).toHaveLength(4);

    expect(await f.reaper().sweep(new Date())).toEqual({ scanned: expect.any(Number), reaped: 2, unstamped: 0, racesLost: 0, capped: false });

    expect(await f.windowEnd('alice', 'key/old')).toBeUndefined();
    expect(await f.windowEnd('bob', 'key/shared')).toBeUndefined();
    expect(await f.windowEnd('alice', 'key/recent')).toBe(recent.expiresAt.toISOString());
    expect((await f.active('alice', 'key/shared'))?.toISOString()).toBe(live.expiresAt.toISOString());
    // Each deleted grant took its own stamp, and only its own.
    const stamps = (await f.tuples('stamp')).map((k) => k.user);
    expect(stamps).toHaveLength(2);
    expect((await f.tuples('grantee')).map((k) => windowOf(k)?.startMs).sort()).toEqual([recent.grantedAt.getTime(), live.grantedAt.getTime()].sort());
    // Nothing left to do; with no grace the recent one goes too.
    expect((await f.reaper().sweep(new Date())).reaped).toBe(0);
    expect((await f.reaper({ graceSeconds: 0 }).sweep(new Date())).reaped).toBe(1);
    expect(await f.windowEnd('alice', 'key/recent')).toBeUndefined();
  });

  it('a compare-and-delete of a window read before the grant was replaced fails, deletes nothing, and the new grant still allows', async () => {
    const f = await fixture();
    await f.store.writeGrant(f.grant('alice', 'key/1', -3 * HOUR, HOUR));
    const [read] = await f.tuples('grantee');
    const stale = read && windowOf(read);
    if (!read || !stale) throw new Error('no grantee tuple');
    // Between the read and the delete, approvals grants alice the same resource again.
    const renewed = f.grant('alice', 'key/1', -60_000, HOUR);
    await f.store.writeGrant(renewed);

    expect(await new GrantTuples(f.raw).deleteIfWindow(read.user, read.object, stale)).toBe(false);
    expect((await f.active('alice', 'key/1'))?.toISOString()).toBe(renewed.expiresAt.toISOString());
    expect(await f.tuples('stamp')).toHaveLength(1);
  });

  it('counts a race the reaper loses to a replacement and leaves the new grant', async () => {
    const f = await fixture();
    await f.store.writeGrant(f.grant('alice', 'key/1', -3 * HOUR, HOUR));
    const renewed = f.grant('alice', 'key/1', -60_000, HOUR);
    const seen: ExpiredGrant[] = [];
    const reaper = f.reaper({
      beforeDelete: async (g) => {
        seen.push(g);
        await f.store.writeGrant(renewed);
      },
    });
    expect(await reaper.sweep(new Date())).toMatchObject({ reaped: 0, racesLost: 1 });
    expect(seen).toHaveLength(1);
    expect((await f.active('alice', 'key/1'))?.toISOString()).toBe(renewed.expiresAt.toISOString());
  });

  it('does not delete a grant extended (same start, longer window) between its read and its delete', async () => {
    const f = await fixture();
    const expired = f.grant('alice', 'key/1', -3 * HOUR, HOUR);
    await f.store.writeGrant(expired);
    const extended = { ...expired, expiresAt: new Date(f.now.getTime() + HOUR) };
    const reaper = f.reaper({ beforeDelete: () => f.store.writeGrant(extended) });
    expect(await reaper.sweep(new Date())).toMatchObject({ reaped: 0, racesLost: 1 });
    expect((await f.active('alice', 'key/1'))?.toISOString()).toBe(extended.expiresAt.toISOString());
    // The extension replaced the stamp too, so a later sweep leaves the grant alone for a better reason.
    expect(await f.reaper().sweep(new Date())).toMatchObject({ reaped: 0, racesLost: 0 });
  });

  it('never deletes a grant written before stamps existed, and counts it as unstamped', async () => {
    const f = await fixture();
    const legacy = f.grant('alice', 'key/legacy', -3 * HOUR, HOUR);
    await f.store.writeGrant(legacy);
    // Take its stamp away: what a grant written by an earlier authz looks like.
    await f.raw.deleteTuples((await f.tuples('stamp')).map(({ user, relation, object }) => ({ user, relation, object })));
    await f.store.writeGrant(f.grant('bob', 'key/legacy', -3 * HOUR, HOUR));

    expect(await f.reaper().sweep(new Date())).toMatchObject({ reaped: 1, unstamped: 1, racesLost: 0 });
    expect(await f.windowEnd('alice', 'key/legacy')).toBe(legacy.expiresAt.toISOString());
    expect(await f.reaper().sweep(new Date())).toMatchObject({ reaped: 0, unstamped: 1 });
  });

  it('pages through the store and stops each sweep at its delete budget', async () => {
    const f = await fixture();
    for (let i = 0; i < 7; i++) await f.store.writeGrant(f.grant(i % 2 ? 'alice' : 'bob', `key/${i}`, -3 * HOUR, HOUR));
    const reaper = f.reaper({ pageSize: 3, maxDeletes: 5 });
    expect(await reaper.sweep(new Date())).toMatchObject({ reaped: 5, capped: true });
    expect(await reaper.sweep(new Date())).toMatchObject({ reaped: 2, capped: false });
    expect(await f.tuples('grantee')).toHaveLength(0);
    expect(await f.tuples('stamp')).toHaveLength(0);
  });
});

/**
 * A relation store whose next Write that deletes something first runs `between`:
 * the moment after it read the grant and before its delete reaches OpenFGA.
 */
function storeWithHook(f: Awaited<ReturnType<typeof fixture>>, between: () => Promise<void>): OpenFgaRelationStore {
  let armed = true;
  const client = new Proxy(f.raw, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop !== 'write' || typeof value !== 'function') return value;
      return async (body: { deletes?: unknown[] }, opts: unknown) => {
        if (armed && body.deletes?.length) {
          armed = false;
          await between();
        }
        return (value as (b: unknown, o: unknown) => Promise<unknown>).call(receiver, body, opts);
      };
    },
  });
  return new OpenFgaRelationStore(client, f.store.modelId(), f.store.storeId, new OpenFgaHttpReads({ apiUrl: fga.apiUrl, storeId: f.store.storeId, presharedKey: fga.presharedKey }));
}

describe('removing and replacing grants by compare-and-delete', () => {
  it('removeGrant with a start read before a newer grant replaced it does not delete the newer grant', async () => {
    const f = await fixture();
    const first = f.grant('alice', 'key/1', -30 * 60_000, HOUR);
    await f.store.writeGrant(first);
    const newer = f.grant('alice', 'key/1', -60_000, 2 * HOUR);
    const revoking = storeWithHook(f, () => f.store.writeGrant(newer));

    expect(await revoking.removeGrant(f.t, 'alice', ACTION, 'key/1', first.grantedAt, '')).toBe(false);
    expect((await f.active('alice', 'key/1'))?.toISOString()).toBe(newer.expiresAt.toISOString());
  });

  it('removeGrant racing an extension of the same grant removes the extended grant', async () => {
    const f = await fixture();
    const grant = f.grant('alice', 'key/1', -30 * 60_000, HOUR);
    await f.store.writeGrant(grant);
    const revoking = storeWithHook(f, () => f.store.writeGrant({ ...grant, expiresAt: new Date(grant.expiresAt.getTime() + HOUR) }));

    expect(await revoking.removeGrant(f.t, 'alice', ACTION, 'key/1', grant.grantedAt, '')).toBe(true);
    expect(await f.windowEnd('alice', 'key/1')).toBeUndefined();
    expect(await f.tuples('stamp')).toHaveLength(0);
  });

  it('a replacement racing another replacement never leaves two windows or a stray stamp', async () => {
    const f = await fixture();
    await f.store.writeGrant(f.grant('alice', 'key/1', -3 * HOUR, HOUR));
    const theirs = f.grant('alice', 'key/1', -60_000, HOUR);
    const mine = f.grant('alice', 'key/1', -30_000, 3 * HOUR);
    // My replacement read the expired window; theirs lands before my delete, which then fails and reads again.
    await storeWithHook(f, () => f.store.writeGrant(theirs)).writeGrant(mine);

    expect((await f.active('alice', 'key/1'))?.toISOString()).toBe(mine.expiresAt.toISOString());
    expect(await f.tuples('grantee')).toHaveLength(1);
    expect(await f.tuples('stamp')).toHaveLength(1);
  });

  it('removes and replaces grants written before stamps existed', async () => {
    const f = await fixture();
    const a = f.grant('alice', 'key/1', -30 * 60_000, HOUR);
    const b = f.grant('bob', 'key/1', -30 * 60_000, HOUR);
    await f.store.writeGrant(a);
    await f.store.writeGrant(b);
    await f.raw.deleteTuples((await f.tuples('stamp')).map(({ user, relation, object }) => ({ user, relation, object })));

    expect(await f.store.removeGrant(f.t, 'alice', ACTION, 'key/1', a.grantedAt, '')).toBe(true);
    expect(await f.windowEnd('alice', 'key/1')).toBeUndefined();
    const renewed = f.grant('bob', 'key/1', -60_000, 2 * HOUR);
    await f.store.writeGrant(renewed);
    expect((await f.active('bob', 'key/1'))?.toISOString()).toBe(renewed.expiresAt.toISOString());
    expect(await f.tuples('stamp')).toHaveLength(1);
  });
});
