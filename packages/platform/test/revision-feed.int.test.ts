import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type RunningNatsServer } from '@assent/testkit';
import { connectNats, createLogger, names, StreamEntityStore, type Nats, type Versioned } from '@assent/platform';

/**
 * Watches share one feed consumer per store. A NATS restart (its own server here,
 * never the machine's shared one) must not lose or repeat a revision for a watch
 * that stays open across it.
 */
const n = names('feedtest');
let server: RunningNatsServer;
let nats: Nats;
let store: StreamEntityStore<{ v: number }>;

beforeAll(async () => {
  server = await startNatsServer();
  nats = await connectNats(server.url, 'revision-feed-test', createLogger('test', 'silent'));
  store = new StreamEntityStore(nats, n, 'widget', createLogger('test', 'silent'));
  await store.ensure();
}, 60_000);

afterAll(async () => {
  await store?.stop();
  await nats?.drain().catch(() => undefined);
  await server?.stop();
});

/** Collects a watch's revisions until `count` arrived or 20 s passed. */
function collect(tenant: string, id: string, after: number, count: number): { done: Promise<Versioned<{ v: number }>[]>; stop(): void } {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 20_000);
  const done = (async () => {
    const got: Versioned<{ v: number }>[] = [];
    for await (const r of store.watch(tenant, id, after, ac.signal)) {
      got.push(r);
      if (got.length === count) break;
    }
    clearTimeout(timer);
    return got;
  })();
  return { done, stop: () => ac.abort() };
}

/** Writes with retries while NATS comes back. */
async function update(id: string, v: number, expected: number): Promise<number> {
  for (let i = 0; ; i++) {
    try {
      return expected === 0 ? await store.create('acme', id, { v }, []) : await store.update('acme', id, { v }, expected, []);
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('RevisionFeed through StreamEntityStore.watch', () => {
  it('serves many watches from one consumer, each getting only its own revisions', async () => {
    const first = await Promise.all(['a', 'b', 'c'].map((id) => update(id, 1, 0)));
    const watches = ['a', 'b', 'c'].map((id, i) => collect('acme', id, first[i] as number, 2));
    let revs = first;
    for (const v of [2, 3]) revs = await Promise.all(['a', 'b', 'c'].map((id, i) => update(id, v, revs[i] as number)));
    const seen = await Promise.all(watches.map((w) => w.done));
    expect(seen.map((s) => s.map((r) => r.value.v))).toEqual([
      [2, 3],
      [2, 3],
      [2, 3],
    ]);
    expect((await nats.jsm.consumers.list(store.stream).next()).length).toBe(1);
  });

  it('delivers every revision once and in order across a NATS restart', async () => {
    let rev = await update('r', 0, 0);
    const watch = collect('acme', 'r', rev, 6);
    for (const v of [1, 2, 3]) rev = await update('r', v, rev);
    await server.stop();
    await server.start();
    for (const v of [4, 5, 6]) rev = await update('r', v, rev);
    const got = await watch.done;
    expect(got.map((r) => r.value.v)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(got.at(-1)?.revision).toBe(rev);
  }, 60_000);
});
