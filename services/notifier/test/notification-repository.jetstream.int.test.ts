import { afterAll, beforeAll } from 'vitest';
import type { KV } from '@nats-io/kv';
import { connectNats, createLogger, type Nats } from '@assent/platform';
import { testEnv, uniqueRoot } from '@assent/testkit';
import { KvNotificationRepository, openNotificationBucket } from '../src/adapters/jetstream/notification-repository.js';
import { notificationRepositoryContract } from './contract/notification-repository.contract.js';

const root = uniqueRoot();
let nats: Nats;
let bucket: KV;
let n = 0;

beforeAll(async () => {
  nats = await connectNats(testEnv.natsUrl, 'notifier-contract', createLogger('test', 'silent'));
  bucket = await openNotificationBucket(nats.nc, root);
});
afterAll(async () => {
  // KV streams are named KV_<bucket>, which cleanupNats(root) does not match.
  await bucket?.destroy();
  await nats?.drain();
});

notificationRepositoryContract('jetstream kv', async () => new KvNotificationRepository(bucket), () => `tenant-${++n}`);
