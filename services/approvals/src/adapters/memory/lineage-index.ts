import { ConflictError } from '@assent/platform/domain';
import type { LineageIndex } from '../../domain/ports.js';
import type { Lineage } from '../../domain/types.js';

/** In-memory twin of the KV lineage index: values with a per-key revision for compare-and-set. */
export class MemoryLineageIndex implements LineageIndex {
  private readonly entries = new Map<string, { lineage: Lineage; etag: number }>();
  private revision = 0;

  async get(tenant: string, key: string) {
    const found = this.entries.get(`${tenant}.${key}`);
    return found && structuredClone(found);
  }

  async save(tenant: string, key: string, lineage: Lineage, etag: number): Promise<void> {
    const k = `${tenant}.${key}`;
    if ((this.entries.get(k)?.etag ?? 0) !== etag) throw new ConflictError(`lineage ${key} changed concurrently`);
    this.entries.set(k, { lineage: structuredClone(lineage), etag: ++this.revision });
  }
}
