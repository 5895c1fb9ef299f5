import { openKvBucket } from './kv-bucket.js';
import { streamReplicas } from './streams.js';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from 'pino';
import type { TenantDirectory } from '../auth/tenant-access.js';
import { KvMirror } from './kv-mirror.js';
import type { Names } from './subjects.js';

/**
 * Which tenants exist, for services other than authz: a read-only mirror of the
 * keys of authz's tenants bucket (the tenant ids; the values stay authz's own
 * format and are not read). Opening creates the bucket with authz's settings if
 * authz has not yet, so services may start in any order.
 */
export async function openTenantDirectory(nc: NatsConnection, n: Names, logger: Logger): Promise<TenantDirectory & { live(): boolean; stop(): Promise<void> }> {
  const mirror = await KvMirror.start(await openKvBucket(nc, n.tenantsBucket, { history: 5, replicas: streamReplicas() }), () => true, logger);
  return {
    exists: async (tenant) => mirror.get(tenant) === true,
    live: () => mirror.live(),
    stop: () => mirror.stop(),
  };
}
