import { natsServers } from '@assent/platform';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Redis } from 'ioredis';
import { testEnv } from './env.js';

/** Deletes every stream (and so its consumers and KV buckets) named after the test root. */
export async function cleanupNats(root: string, url: string = testEnv.natsUrl): Promise<void> {
  const nc = await connect(natsServers(url));
  try {
    const jsm = await jetstreamManager(nc);
    // Streams the test created, and the streams behind its KV buckets.
    const prefixes = [`${root.toUpperCase()}_`, `KV_${root.toUpperCase()}_`];
    for await (const s of jsm.streams.list()) {
      if (prefixes.some((p) => s.config.name.startsWith(p))) await jsm.streams.delete(s.config.name);
    }
  } finally {
    await nc.close();
  }
}

/** Deletes every Redis key under `<root>:`. */
export async function cleanupRedis(root: string, url: string = testEnv.redisUrl): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${root}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
