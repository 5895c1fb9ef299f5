import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { names, natsServers } from '@assent/platform';
import { testEnv } from './env.js';

/**
 * Registers tenants in the tenant directory as authz's CreateTenant would (for
 * tests that run a service without authz). cleanupNats(root) removes the bucket.
 */
export async function registerTenants(root: string, ids: string[], natsUrl = testEnv.natsUrl): Promise<void> {
  const nc = await connect(natsServers(natsUrl));
  try {
    const kv = await new Kvm(nc).create(names(root).tenantsBucket, { history: 5 });
    for (const id of ids) await kv.put(id, JSON.stringify({ id, displayName: id, createdAt: new Date().toISOString() }));
  } finally {
    await nc.close();
  }
}
