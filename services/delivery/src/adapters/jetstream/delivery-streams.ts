import { ensureStream } from '@assent/platform';
import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { DeliveryNames } from './delivery-names.js';

const HOUR_MS = 3_600_000;

/** Attempts kept per endpoint; ListAttempts scans at most this many. */
export const MAX_ATTEMPTS_PER_ENDPOINT = 10_000;

export async function ensureDeliveryStreams(jsm: JetStreamManager, n: DeliveryNames): Promise<void> {
  // A work queue: a task leaves the stream once the worker acks or terminates it, so the
  // stream holds exactly the deliveries still owed. No max_age: a task waiting out its
  // retry schedule must never expire silently.
  await ensureStream(jsm, {
    name: n.taskStream,
    subjects: [n.allTasks()],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    // Fan-out may be redone after a crash well after the default 2 minutes.
    duplicate_window: nanos(HOUR_MS),
  });
  await ensureStream(jsm, {
    name: n.attemptStream,
    subjects: [n.allAttempts()],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(30 * 24 * HOUR_MS),
    max_msgs_per_subject: MAX_ATTEMPTS_PER_ENDPOINT,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(HOUR_MS),
  });
}
