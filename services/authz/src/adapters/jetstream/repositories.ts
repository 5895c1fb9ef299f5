import { KvMirror, names, type Logger, streamReplicas, openKvBucket } from '@assent/platform';
import { type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { KV } from '@nats-io/kv';
import type { GrantCatalog, GrantCatalogEntry, ProtectedActionRepository, TenantRepository } from '../../domain/ports.js';
import type { ProtectedAction, Tenant } from '../../domain/types.js';

type TenantJson = Omit<Tenant, 'createdAt'> & { createdAt: string };
type ActionJson = Omit<ProtectedAction, 'updatedAt' | 'stepUpToAct' | 'stepUpToApprove' | 'conditions' | 'version'> & {
  updatedAt: string;
  stepUpToAct?: boolean;
  stepUpToApprove?: boolean;
  conditions?: ProtectedAction['conditions'];
  version?: number;
};

const decodeTenant = (e: KvEntry): Tenant => {
  const t = e.json<TenantJson>();
  return { ...t, createdAt: new Date(t.createdAt) };
};
const decodeAction = (e: KvEntry): ProtectedAction => {
  const a = e.json<ActionJson>();
  // Actions registered before step-up or conditions existed need none, and are version 1.
  return {
    ...a,
    updatedAt: new Date(a.updatedAt),
    stepUpToAct: a.stepUpToAct ?? false,
    stepUpToApprove: a.stepUpToApprove ?? false,
    conditions: a.conditions ?? [],
    version: a.version ?? 1,
  };
};

/**
 * Tenants and protected actions live in JetStream KV and are read on every
 * Check, so each replica serves them from an in-memory mirror kept current by
 * a KV watch (writes wait until the local mirror has them).
 */
export async function openAuthzRepositories(
  nc: NatsConnection,
  root: string,
  logger: Logger,
): Promise<{ tenants: KvTenantRepository; actions: KvProtectedActionRepository; grantCatalog: KvGrantCatalog; live(): boolean; stop(): Promise<void> }> {
  const upper = root.toUpperCase();
  const tenants = await KvMirror.start(await openKvBucket(nc, names(root).tenantsBucket, { history: 5, replicas: streamReplicas() }), decodeTenant, logger);
  const actions = await KvMirror.start(await openKvBucket(nc, `${upper}_authz_actions`, { history: 5, replicas: streamReplicas() }), decodeAction, logger);
  return {
    tenants: new KvTenantRepository(tenants),
    actions: new KvProtectedActionRepository(actions),
    grantCatalog: new KvGrantCatalog(await openKvBucket(nc, `${upper}_authz_grants`, { history: 1, replicas: streamReplicas() })),
    live: () => tenants.live() && actions.live(),
    stop: async () => {
      await Promise.all([tenants.stop(), actions.stop()]);
    },
  };
}

export class KvTenantRepository implements TenantRepository {
  constructor(private readonly mirror: KvMirror<Tenant>) {}

  async get(id: string): Promise<Tenant | undefined> {
    return this.mirror.get(id);
  }

  async create(tenant: Tenant): Promise<{ tenant: Tenant; created: boolean }> {
    try {
      await this.mirror.create(tenant.id, JSON.stringify({ ...tenant, createdAt: tenant.createdAt.toISOString() }));
      return { tenant, created: true };
    } catch (err) {
      const existing = this.mirror.get(tenant.id);
      if (existing) return { tenant: existing, created: false };
      throw err;
    }
  }
}

export class KvProtectedActionRepository implements ProtectedActionRepository {
  constructor(private readonly mirror: KvMirror<ProtectedAction>) {}

  async get(tenant: string, action: string): Promise<ProtectedAction | undefined> {
    return this.mirror.get(`${tenant}.${action}`);
  }

  async put(action: ProtectedAction): Promise<void> {
    await this.mirror.put(`${action.tenant}.${action.action}`, JSON.stringify({ ...action, updatedAt: action.updatedAt.toISOString() }));
  }

  async list(tenant: string): Promise<ProtectedAction[]> {
    return this.mirror.withPrefix(`${tenant}.`);
  }
}


/**
 * `<ROOT>_authz_grants`, key `<tenant>.<grant key>`: what each grant key is about
 * (action, resource, condition). Read directly, not mirrored: it grows with every
 * distinct thing ever granted and is read only to list a principal's access.
 */
export class KvGrantCatalog implements GrantCatalog {
  constructor(private readonly kv: KV) {}

  async record(tenant: string, key: string, entry: GrantCatalogEntry): Promise<void> {
    await this.kv.put(`${tenant}.${key}`, JSON.stringify(entry));
  }

  async lookup(tenant: string, keys: string[]): Promise<Map<string, GrantCatalogEntry>> {
    const found = new Map<string, GrantCatalogEntry>();
    await Promise.all(
      keys.map(async (k) => {
        const e = await this.kv.get(`${tenant}.${k}`);
        if (e && e.operation === 'PUT') found.set(k, e.json<GrantCatalogEntry>());
      }),
    );
    return found;
  }
}
