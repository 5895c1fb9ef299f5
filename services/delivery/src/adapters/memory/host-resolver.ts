import type { HostResolver } from '../../domain/ports.js';

/** In-memory twin of DNS: a fixed table; unknown names do not exist. */
export class MemoryHostResolver implements HostResolver {
  constructor(private readonly table: Record<string, string[]> = { localhost: ['127.0.0.1', '::1'] }) {}

  async resolve(host: string): Promise<string[]> {
    return [...(this.table[host.toLowerCase()] ?? [])];
  }

  /** Test helper: what a DNS rebinding attacker does between create and send. */
  set(host: string, addresses: string[]): void {
    this.table[host.toLowerCase()] = addresses;
  }
}
