import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupNats, testEnv, uniqueRoot } from '@assent/testkit';
import { connectNats, createLogger, names, startTimers, TIMER_SHARDS, TimerIndex, type Nats, type RunningTimers } from '@assent/platform';

const root = uniqueRoot();
const n = names(root);
const logger = createLogger('test', 'silent');
const conns: Nats[] = [];
const all = Array.from({ length: TIMER_SHARDS }, (_, i) => i);
const running: RunningTimers[] = [];

interface Fired {
  key: string;
  at: number;
  firedAt: number;
  by: string;
}

async function connect(name: string): Promise<Nats> {
  const c = await connectNats(testEnv.natsUrl, name, logger);
  conns.push(c);
  return c;
}

/** A scheduler replica recording what it fires; `dead` makes it behave like a crashed process. */
async function replica(nats: Nats, entity: string, fired: Fired[], by: string, opts: { leaseTtlMs?: number; failFirst?: Set<string> } = {}) {
  const state = { dead: false };
  const timers = await startTimers({
    nats,
    names: n,
    logger,
    entity,
    leaseTtlMs: opts.leaseTtlMs ?? 10_000,
    retryMs: () => 200,
    fire: async (tenant, id, at) => {
      if (state.dead) throw new Error('this process is dead');
      const key = `${tenant}.${id}`;
      if (opts.failFirst?.delete(key)) throw new Error('transient failure');
      fired.push({ key, at: at.getTime(), firedAt: Date.now(), by });
    },
  });
  running.push(timers);
  return { timers, state };
}

beforeAll(async () => {
  await connect('timers-setup');
});
afterAll(async () => {
  await Promise.allSettled(running.map((t) => t.stop()));
  await Promise.all(conns.map((c) => c.drain().catch(() => undefined)));
  await cleanupNats(root);
});

describe('entity timers', () => {
  it('fires every timer once, within a second of its time, with three replicas competing for the shards', async () => {
    const index = await TimerIndex.open(conns[0] as Nats, n, 'three');
    const fired: Fired[] = [];
    const replicas = await Promise.all(['a', 'b', 'c'].map(async (by) => replica(await connect(`timers-${by}`), 'three', fired, by)));
    const owned = replicas.flatMap((r) => r.timers.owned());
    expect(owned.sort()).toEqual(all);
    const base = Date.now() + 1_000;
    const due = new Map<string, number>();
    for (let i = 0; i < 40; i++) {
      const at = base + (i % 10) * 150;
      due.set(`acme.r${i}`, at);
      await index.set('acme', `r${i}`, new Date(at));
    }
    await expect.poll(() => fired.length, { timeout: 10_000 }).toBe(40);
    await new Promise((r) => setTimeout(r, 500));
    expect(fired).toHaveLength(40);
    expect(new Set(fired.map((f) => f.key)).size).toBe(40);
    for (const f of fired) {
      expect(f.at).toBe(due.get(f.key));
      expect(f.firedAt - f.at).toBeGreaterThanOrEqual(0);
      expect(f.firedAt - f.at).toBeLessThan(1_000);
    }
  });

  it('fires a rescheduled timer at its new time, never a cleared one, and retries a failing handler', async () => {
    const index = await TimerIndex.open(conns[0] as Nats, n, 'edits');
    const fired: Fired[] = [];
    await replica(await connect('timers-edits'), 'edits', fired, 'a', { failFirst: new Set(['acme.flaky']) });
    const now = Date.now();
    await index.set('acme', 'moved', new Date(now + 500));
    await index.set('acme', 'cleared', new Date(now + 500));
    await index.set('acme', 'flaky', new Date(now + 500));
    await index.set('acme', 'moved', new Date(now + 1_500));
    await index.set('acme', 'cleared', undefined);
    await expect.poll(() => fired.map((f) => f.key).sort(), { timeout: 5_000 }).toEqual(['acme.flaky', 'acme.moved']);
    expect(fired.find((f) => f.key === 'acme.moved')?.at).toBe(now + 1_500);
    expect(fired.find((f) => f.key === 'acme.flaky')!.firedAt - (now + 500)).toBeGreaterThanOrEqual(200);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(fired).toHaveLength(2);
  });

  it('loads pending timers after a restart and fires those that fell due while no replica ran', async () => {
    const index = await TimerIndex.open(conns[0] as Nats, n, 'restart');
    const fired: Fired[] = [];
    const first = await replica(await connect('timers-first'), 'restart', fired, 'first');
    await first.timers.stop();
    const now = Date.now();
    await index.set('acme', 'overdue', new Date(now + 100));
    await index.set('acme', 'later', new Date(now + 1_500));
    await new Promise((r) => setTimeout(r, 600));
    expect(fired).toHaveLength(0);
    await replica(await connect('timers-second'), 'restart', fired, 'second');
    await expect.poll(() => fired.map((f) => f.key).sort(), { timeout: 5_000 }).toEqual(['acme.later', 'acme.overdue']);
    expect(fired.every((f) => f.by === 'second')).toBe(true);
  });

  it('passes a dead owner\u2019s shards to a live replica, which fires each timer once', async () => {
    const index = await TimerIndex.open(conns[0] as Nats, n, 'failover');
    const fired: Fired[] = [];
    const ttl = 1_500;
    const doomedConn = await connect('timers-doomed');
    const doomed = await replica(doomedConn, 'failover', fired, 'doomed', { leaseTtlMs: ttl });
    expect(doomed.timers.owned()).toEqual(all);
    const survivor = await replica(await connect('timers-survivor'), 'failover', fired, 'survivor', { leaseTtlMs: ttl });
    // The shards spread over both replicas.
    await expect.poll(() => [doomed.timers.owned().length, survivor.timers.owned().length], { timeout: 5_000 }).toEqual([4, 4]);
    const at = Date.now() + 800;
    for (let i = 0; i < 20; i++) await index.set('acme', `f${i}`, new Date(at));
    // The owner dies without a word: no lease release, its handlers never run again.
    doomed.state.dead = true;
    await doomedConn.nc.close();
    await expect.poll(() => fired.length, { timeout: 10_000 }).toBe(20);
    expect(new Set(fired.map((f) => f.key)).size).toBe(20);
    // Timers of the shards the survivor held fired on time; the dead replica's fired once it took them over.
    expect(fired.every((f) => f.by === 'survivor')).toBe(true);
    expect(survivor.timers.owned()).toEqual(all);
  });

  it('spreads the shards evenly over three replicas, and over the rest when one stops', async () => {
    const fired: Fired[] = [];
    const rs: Awaited<ReturnType<typeof replica>>[] = [];
    for (const name of ['a', 'b', 'c']) rs.push(await replica(await connect(`timers-balance-${name}`), 'balance', fired, name, { leaseTtlMs: 1_500 }));
    const counts = () => rs.map((r) => r.timers.owned().length).sort();
    await expect.poll(counts, { timeout: 8_000 }).toEqual([2, 3, 3]);
    expect(new Set(rs.flatMap((r) => r.timers.owned())).size).toBe(TIMER_SHARDS);
    await rs[0]?.timers.stop();
    await expect.poll(() => rs.slice(1).map((r) => r.timers.owned().length), { timeout: 8_000 }).toEqual([4, 4]);
  });
});
