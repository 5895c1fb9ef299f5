import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Redis } from 'ioredis';
import { testEnv } from './env.js';

/** Deletes every stream (and so its consumers) whose name starts with the test root. */
export async function cleanupNats(root: string): Promise<void> {
  const nc = await connect({ servers: testEnv.natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const prefix = `${root.toUpperCase()}_`;
    for await (const s of jsm.streams.list()) {
      if (s.config.name.startsWith(prefix)) await jsm.streams.delete(s.config.name);
    }
  } finally {
    await nc.close();
  }
}

/** Deletes every Redis key under `<root>:`. */
export async function cleanupRedis(root: string): Promise<void> {
  const redis = new Redis(testEnv.redisUrl);
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
