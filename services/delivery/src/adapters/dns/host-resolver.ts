import { lookup } from 'node:dns/promises';
import type { HostResolver } from '../../domain/ports.js';

const MISSING = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA']);

/**
 * getaddrinfo, like the HTTP client uses (so /etc/hosts counts), every A and AAAA
 * record. A name that does not exist is [], anything else (timeouts) is thrown.
 */
export class DnsHostResolver implements HostResolver {
  async resolve(host: string): Promise<string[]> {
    try {
      const records = await lookup(host, { all: true, verbatim: true });
      return records.map((r) => r.address);
    } catch (err) {
      if (MISSING.has((err as NodeJS.ErrnoException).code ?? '')) return [];
      throw err;
    }
  }
}
