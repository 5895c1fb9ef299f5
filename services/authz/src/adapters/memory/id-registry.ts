import type { ModelRegistry } from '../openfga/model-pointer.js';

/** In-memory twin of the KV id registry (same contract: test/contract/id-registry.contract.ts). */
export class MemoryIdRegistry implements ModelRegistry {
  private readonly entries = new Map<string, { value: string; revision: number }>();
  private readonly watchers = new Map<string, Set<(value: string | undefined) => void>>();
  private revision = 0;

  async get(key: string): Promise<{ value: string; revision: number } | undefined> {
    const e = this.entries.get(key);
    return e ? { ...e } : undefined;
  }

  async create(key: string, value: string): Promise<boolean> {
    return (await this.swap(key, value, 0)) !== undefined;
  }

  async update(key: string, value: string, revision: number): Promise<boolean> {
    return (await this.swap(key, value, revision)) !== undefined;
  }

  async swap(key: string, value: string, revision: number): Promise<number | undefined> {
    if ((this.entries.get(key)?.revision ?? 0) !== revision) return undefined;
    const next = ++this.revision;
    this.entries.set(key, { value, revision: next });
    for (const w of this.watchers.get(key) ?? []) w(value);
    return next;
  }

  async watch(key: string, onValue: (value: string | undefined) => void): Promise<{ stop(): Promise<void> }> {
    const set = this.watchers.get(key) ?? new Set();
    this.watchers.set(key, set);
    set.add(onValue);
    onValue(this.entries.get(key)?.value);
    return {
      stop: async () => {
        set.delete(onValue);
      },
    };
  }
}
