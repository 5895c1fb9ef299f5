import { afterAll, beforeAll } from 'vitest';
import type { KV } from '@nats-io/kv';
import { connectNats, createLogger, type Nats } from '@assent/platform';
import { cleanupNats, testEnv, uniqueRoot } from '@assent/testkit';
import { KvNotificationRepository, notificationBucket, openNotificationBucket } from '../src/adapters/jetstream/notification-repository.js';
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
  await nats?.drain();
  await cleanupNats(root);
});

notificationRepositoryContract('jetstream kv', async () => new KvNotificationRepository(bucket, nats.jsm, notificationBucket(root)), () => `tenant-${++n}`);
