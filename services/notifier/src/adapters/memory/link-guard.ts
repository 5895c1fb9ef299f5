import type { LinkGuard } from '../../domain/ports.js';

/** In-memory twin of the Redis link guard (entries never expire here; tests use fresh links). */
export class MemoryLinkGuard implements LinkGuard {
  private readonly claimed = new Set<string>();

  async used(tenant: string, linkId: string): Promise<boolean> {
    return this.claimed.has(`${tenant}|${linkId}`);
  }

  async claim(tenant: string, linkId: string): Promise<boolean> {
    const key = `${tenant}|${linkId}`;
    if (this.claimed.has(key)) return false;
    this.claimed.add(key);
    return true;
  }

  async release(tenant: string, linkId: string): Promise<void> {
    this.claimed.delete(`${tenant}|${linkId}`);
  }
}
