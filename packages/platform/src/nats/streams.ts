import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { Names } from './subjects.js';

const DAY_MS = 24 * 60 * 60 * 1000;

let replicas = 1;
/**
 * How many copies of each stream and KV bucket this process creates (NATS cluster
 * replication): ASSENT_NATS_REPLICAS, set once at boot by the runtime (1 for a single
 * server, 3 for the production cluster). Every service of a deployment sets the same.
 */
export function setStreamReplicas(n: number): void {
  replicas = n;
}
export const streamReplicas = (): number => replicas;

/** Creates the stream or updates it to the given config (idempotent; safe from every replica). */
export async function ensureStream(jsm: JetStreamManager, wanted: Partial<StreamConfig> & { name: string; subjects: string[] }): Promise<void> {
  const config = { num_replicas: replicas, ...wanted };
  try {
    await jsm.streams.info(config.name);
    await jsm.streams.update(config.name, config);
  } catch (err) {
    if ((err as Error).name === 'StreamNotFoundError' || /stream not found/i.test((err as Error).message)) {
      try {
        await jsm.streams.add(config);
      } catch (addErr) {
        // Another replica created it between our info and add (nats-server 2.9 may
        // answer "subjects overlap" rather than "already in use" while it does).
        if (/already in use|already exists/i.test((addErr as Error).message)) return;
        const created = await jsm.streams.info(config.name).then(
          () => true,
          () => false,
        );
        if (!created) throw addErr;
      }
    } else {
      throw err;
    }
  }
}

/** The domain event stream and the dead-letter stream every consumer parks poison messages in. */
export async function ensureEventStreams(jsm: JetStreamManager, n: Names): Promise<void> {
  await ensureStream(jsm, {
    name: n.eventsStream,
    subjects: [n.allEvents()],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(30 * DAY_MS),
    duplicate_window: nanos(10 * 60 * 1000),
    discard: DiscardPolicy.Old,
  });
  await ensureStream(jsm, {
    name: n.dlqStream,
    subjects: [`${n.root}.dlq.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(30 * DAY_MS),
  });
}
