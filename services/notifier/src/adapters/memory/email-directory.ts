import type { EmailDirectory } from '../../domain/ports.js';

/** In-memory twin of the JetStream KV email directory (same contract). */
export class MemoryEmailDirectory implements EmailDirectory {
  private readonly entries = new Map<string, string>();

  constructor(initial: Record<string, Record<string, string>> = {}) {
    for (const [tenant, people] of Object.entries(initial)) for (const [p, a] of Object.entries(people)) this.entries.set(`${tenant}|${p}`, a);
  }

  async addressOf(tenant: string, principal: string): Promise<string | undefined> {
    return this.entries.get(`${tenant}|${principal}`);
  }

  async set(tenant: string, principal: string, address: string): Promise<void> {
    this.entries.set(`${tenant}|${principal}`, address);
  }

  async remove(tenant: string, principal: string): Promise<boolean> {
    return this.entries.delete(`${tenant}|${principal}`);
  }

  async list(tenant: string): Promise<{ principal: string; address: string }[]> {
    return [...this.entries.entries()]
      .filter(([k]) => k.startsWith(`${tenant}|`))
      .map(([k, address]) => ({ principal: k.slice(tenant.length + 1), address }))
      .sort((a, b) => (a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : 0));
  }
}
