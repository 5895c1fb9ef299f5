import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { ProtectedActionRepository, TenantRepository } from '../../domain/ports.js';
import type { ProtectedAction, Tenant } from '../../domain/types.js';

/** Opens (or creates) the authz KV buckets under the subject root. */
export async function openAuthzBuckets(nc: NatsConnection, root: string): Promise<{ tenants: KV; actions: KV }> {
  const kvm = new Kvm(nc);
  const upper = root.toUpperCase();
  return {
    tenants: await kvm.create(`${upper}_authz_tenants`, { history: 5 }),
    actions: await kvm.create(`${upper}_authz_actions`, { history: 5 }),
  };
}

type TenantJson = Omit<Tenant, 'createdAt'> & { createdAt: string };
type ActionJson = Omit<ProtectedAction, 'updatedAt'> & { updatedAt: string };

export class KvTenantRepository implements TenantRepository {
  constructor(private readonly kv: KV) {}

  async get(id: string): Promise<Tenant | undefined> {
    const entry = await this.kv.get(id);
    if (!entry || entry.operation !== 'PUT') return undefined;
    const t = entry.json<TenantJson>();
    return { ...t, createdAt: new Date(t.createdAt) };
  }

  async create(tenant: Tenant): Promise<{ tenant: Tenant; created: boolean }> {
    try {
      await this.kv.create(tenant.id, JSON.stringify({ ...tenant, createdAt: tenant.createdAt.toISOString() }));
      return { tenant, created: true };
    } catch (err) {
      const existing = await this.get(tenant.id);
      if (existing) return { tenant: existing, created: false };
      throw err;
    }
  }
}

export class KvProtectedActionRepository implements ProtectedActionRepository {
  constructor(private readonly kv: KV) {}

  async get(tenant: string, action: string): Promise<ProtectedAction | undefined> {
    const entry = await this.kv.get(`${tenant}.${action}`);
    if (!entry || entry.operation !== 'PUT') return undefined;
    const a = entry.json<ActionJson>();
    return { ...a, updatedAt: new Date(a.updatedAt) };
  }

  async put(action: ProtectedAction): Promise<void> {
    await this.kv.put(`${action.tenant}.${action.action}`, JSON.stringify({ ...action, updatedAt: action.updatedAt.toISOString() }));
  }

  async list(tenant: string): Promise<ProtectedAction[]> {
    const keys: string[] = [];
    for await (const key of await this.kv.keys(`${tenant}.>`)) keys.push(key);
    const actions = await Promise.all(keys.sort().map((k) => this.get(tenant, k.slice(tenant.length + 1))));
    return actions.filter((a): a is ProtectedAction => a !== undefined);
  }
}
