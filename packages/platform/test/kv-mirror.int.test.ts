import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kvm } from '@nats-io/kv';
import { cleanupNats, testEnv, uniqueRoot } from '@assent/testkit';
import { connectNats, createLogger, KvMirror, type Nats } from '@assent/platform';

const root = uniqueRoot();
const logger = createLogger('test', 'silent');
let a: Nats;
let b: Nats;

beforeAll(async () => {
  [a, b] = await Promise.all([connectNats(testEnv.natsUrl, 'mirror-a', logger), connectNats(testEnv.natsUrl, 'mirror-b', logger)]);
});
afterAll(async () => {
  await Promise.all([a?.drain(), b?.drain()]);
  await cleanupNats(root);
});

describe('KvMirror', () => {
  it('starts from the existing entries, reads its own writes and follows other writers and deletes', async () => {
    const bucket = `${root.toUpperCase()}_mirror`;
    const kvA = await new Kvm(a.nc).create(bucket);
    await kvA.put('acme.1', JSON.stringify({ n: 1 }));
    await kvA.put('globex.1', JSON.stringify({ n: 9 }));
    const mirror = await KvMirror.start(kvA, (e) => e.json<{ n: number }>(), logger);
    try {
      expect(mirror.withPrefix('acme.')).toEqual([{ n: 1 }]);
      await mirror.put('acme.2', JSON.stringify({ n: 2 }));
      expect(mirror.get('acme.2')).toEqual({ n: 2 });
      await expect(mirror.create('acme.2', '{}')).rejects.toThrow();

      const kvB = await new Kvm(b.nc).open(bucket);
      await kvB.put('acme.3', JSON.stringify({ n: 3 }));
      await kvB.delete('acme.1');
      await expect.poll(() => mirror.withPrefix('acme.'), { timeout: 5_000 }).toEqual([{ n: 2 }, { n: 3 }]);
      expect(mirror.withPrefix('globex.')).toEqual([{ n: 9 }]);
    } finally {
      await mirror.stop();
    }
  });
});

describe('KvMirror when its watch ends', () => {
  it('reports stale, reloads the bucket and reports live again', async () => {
    const bucket = `${root.toUpperCase()}_lost`;
    const kv = await new Kvm(a.nc).create(bucket);
    await kv.put('acme.1', JSON.stringify({ n: 1 }));
    const mirror = await KvMirror.start(kv, (e) => e.json<{ n: number }>(), logger);
    try {
      expect(mirror.live()).toBe(true);
      // The bucket's stream disappears under the watcher (an operator mistake, a lost volume).
      await a.jsm.streams.delete(`KV_${bucket}`);
      await expect.poll(() => mirror.live(), { timeout: 10_000 }).toBe(false);
      // Recreated with other contents: the mirror must serve those, not the old entries.
      const again = await new Kvm(b.nc).create(bucket);
      await again.put('acme.2', JSON.stringify({ n: 2 }));
      await expect.poll(() => mirror.live(), { timeout: 15_000 }).toBe(true);
      await expect.poll(() => mirror.withPrefix('acme.'), { timeout: 5_000 }).toEqual([{ n: 2 }]);
    } finally {
      await mirror.stop();
    }
  });
});
