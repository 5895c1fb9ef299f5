import type { IdRegistry } from '../openfga/id-registry.js';

/** In-memory twin of the KV id registry (same contract: test/contract/id-registry.contract.ts). */
export class MemoryIdRegistry implements IdRegistry {
  private readonly entries = new Map<string, { value: string; revision: number }>();
  private revision = 0;

  async get(key: string): Promise<{ value: string; revision: number } | undefined> {
    const e = this.entries.get(key);
    return e ? { ...e } : undefined;
  }

  async create(key: string, value: string): Promise<boolean> {
    if (this.entries.has(key)) return false;
    this.entries.set(key, { value, revision: ++this.revision });
    return true;
  }

  async update(key: string, value: string, revision: number): Promise<boolean> {
    if (this.entries.get(key)?.revision !== revision) return false;
    this.entries.set(key, { value, revision: ++this.revision });
    return true;
  }
}
