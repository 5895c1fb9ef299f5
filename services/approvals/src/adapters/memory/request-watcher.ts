import type { RequestWatcher } from '../../domain/ports.js';
import type { StoredRequest } from '../../domain/types.js';
import type { MemoryRequestRepository } from './request-repository.js';

/** In-memory twin of the JetStream request watcher, fed by the memory repository's writes. */
export class MemoryRequestWatcher implements RequestWatcher {
  constructor(private readonly repo: MemoryRequestRepository) {}

  async *watch(tenant: string, id: string, afterEtag: number, signal: AbortSignal): AsyncGenerator<StoredRequest> {
    const queue: StoredRequest[] = [];
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    // Listen first, then replay what is already stored: the etag filter drops the overlap.
    const off = this.repo.onWrite((row) => {
      if (row.request.tenant === tenant && row.request.id === id) {
        queue.push(row);
        notify();
      }
    });
    signal.addEventListener('abort', notify);
    try {
      queue.unshift(...this.repo.revisions(tenant, id));
      let last = afterEtag;
      while (!signal.aborted) {
        const next = queue.shift();
        if (!next) {
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        if (next.etag <= last) continue;
        last = next.etag;
        yield next;
      }
    } finally {
      off();
      signal.removeEventListener('abort', notify);
    }
  }
}
