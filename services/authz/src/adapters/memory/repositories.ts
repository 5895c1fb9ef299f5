import type { EventSink, GrantCatalog, GrantCatalogEntry, ProtectedActionRepository, TenantRepository } from '../../domain/ports.js';
import type { ProtectedAction, Tenant } from '../../domain/types.js';
import type { AssentEvent } from '@assent/platform/domain';

export class MemoryTenantRepository implements TenantRepository {
  private readonly tenants = new Map<string, Tenant>();

  async get(id: string): Promise<Tenant | undefined> {
    return this.tenants.get(id);
  }

  async create(tenant: Tenant): Promise<{ tenant: Tenant; created: boolean }> {
    const existing = this.tenants.get(tenant.id);
    if (existing) return { tenant: existing, created: false };
    this.tenants.set(tenant.id, tenant);
    return { tenant, created: true };
  }
}

export class MemoryProtectedActionRepository implements ProtectedActionRepository {
  private readonly actions = new Map<string, ProtectedAction>();

  async get(tenant: string, action: string): Promise<ProtectedAction | undefined> {
    return this.actions.get(`${tenant}|${action}`);
  }

  async put(action: ProtectedAction): Promise<void> {
    this.actions.set(`${action.tenant}|${action.action}`, action);
  }

  async list(tenant: string): Promise<ProtectedAction[]> {
    return [...this.actions.values()].filter((a) => a.tenant === tenant).sort((a, b) => a.action.localeCompare(b.action));
  }
}

export class MemoryGrantCatalog implements GrantCatalog {
  private readonly entries = new Map<string, GrantCatalogEntry>();

  async record(tenant: string, key: string, entry: GrantCatalogEntry): Promise<void> {
    this.entries.set(`${tenant}|${key}`, { ...entry });
  }

  async lookup(tenant: string, keys: string[]): Promise<Map<string, GrantCatalogEntry>> {
    const found = new Map<string, GrantCatalogEntry>();
    for (const k of keys) {
      const e = this.entries.get(`${tenant}|${k}`);
      if (e) found.set(k, e);
    }
    return found;
  }
}

export class MemoryEventSink implements EventSink {
  readonly events: AssentEvent[] = [];

  async emit(event: AssentEvent): Promise<void> {
    this.events.push(event);
  }
}
