import { AlreadyExistsError, ConflictError, type AssentEvent } from '@assent/platform/domain';
import type { RequestRepository } from '../../domain/ports.js';
import type { ApprovalRequest, RequestState, StoredRequest } from '../../domain/types.js';

type WriteListener = (row: StoredRequest) => void;

/**
 * In-memory twin of the JetStream request store; `emitted` plays the relayed event
 * stream, and every revision is kept (like the state stream) for the watcher twin.
 */
export class MemoryRequestRepository implements RequestRepository {
  private readonly rows = new Map<string, StoredRequest>();
  private readonly revisionsByKey = new Map<string, StoredRequest[]>();
  private readonly listeners = new Set<WriteListener>();
  private seq = 0;
  readonly emitted: AssentEvent[] = [];

  /** Every stored revision of one request, oldest first. */
  revisions(tenant: string, id: string): StoredRequest[] {
    return (this.revisionsByKey.get(`${tenant}|${id}`) ?? []).map((r) => structuredClone(r));
  }

  /** Calls `listener` after each successful write; returns the unsubscribe. */
  onWrite(listener: WriteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async get(tenant: string, id: string): Promise<StoredRequest | undefined> {
    const row = this.rows.get(`${tenant}|${id}`);
    return row && structuredClone(row);
  }

  async create(request: ApprovalRequest, events: AssentEvent[]): Promise<StoredRequest> {
    const key = `${request.tenant}|${request.id}`;
    if (this.rows.has(key)) throw new AlreadyExistsError(`request "${request.id}" already exists`);
    return this.write(key, request, events);
  }

  async update(request: ApprovalRequest, etag: number, events: AssentEvent[]): Promise<StoredRequest> {
    const key = `${request.tenant}|${request.id}`;
    if (this.rows.get(key)?.etag !== etag) throw new ConflictError(`request "${request.id}" changed concurrently`);
    return this.write(key, request, events);
  }

  private write(key: string, request: ApprovalRequest, events: AssentEvent[]): StoredRequest {
    const row = { request: structuredClone(request), etag: ++this.seq };
    this.rows.set(key, row);
    this.revisionsByKey.set(key, [...(this.revisionsByKey.get(key) ?? []), row]);
    this.emitted.push(...events);
    for (const listener of this.listeners) listener(structuredClone(row));
    return structuredClone(row);
  }

  async list(tenant: string, opts: { state: RequestState | undefined; limit: number; after: string | undefined }) {
    const all = [...this.rows.values()]
      .map((r) => r.request)
      .filter((r) => r.tenant === tenant && (!opts.state || r.state === opts.state) && (!opts.after || r.id < opts.after))
      .sort((a, b) => (a.id < b.id ? 1 : -1));
    const requests = all.slice(0, opts.limit).map((r) => structuredClone(r));
    return { requests, next: all.length > opts.limit ? requests.at(-1)?.id : undefined };
  }
}
