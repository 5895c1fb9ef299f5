import { Kvm, type KV, type KvOptions } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';

const RACE = /subjects overlap|already in use|already exists/i;

/**
 * Opens a KV bucket, creating it if missing; safe when several replicas start at
 * once. Two creates racing for one bucket can both miss it and both add its stream;
 * the loser's add fails (nats-server 2.9 answers "subjects overlap" while the
 * winner's stream is being made), and a second open then finds the bucket.
 */
export async function openKvBucket(nc: NatsConnection, name: string, opts: Partial<KvOptions>): Promise<KV> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await new Kvm(nc).create(name, opts);
    } catch (err) {
      if (attempt >= 5 || !RACE.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}
