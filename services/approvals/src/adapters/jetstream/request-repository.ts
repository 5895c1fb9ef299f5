import type { AssentEvent, StreamEntityStore } from '@assent/platform';
import type { RequestRepository } from '../../domain/ports.js';
import type { ApprovalRequest, RequestState, StoredRequest } from '../../domain/types.js';
import { fromJson, toJson, type RequestJson } from './request-json.js';

/**
 * Requests on the state stream (platform StreamEntityStore): compare-and-set per
 * request, events in the same message, relayed to the event stream by the outbox relay.
 */
export class StreamRequestRepository implements RequestRepository {
  constructor(private readonly store: StreamEntityStore<RequestJson>) {}

  async get(tenant: string, id: string): Promise<StoredRequest | undefined> {
    const found = await this.store.get(tenant, id);
    return found && { request: fromJson(found.value), etag: found.revision };
  }

  async create(request: ApprovalRequest, events: AssentEvent[]): Promise<StoredRequest> {
    const etag = await this.store.create(request.tenant, request.id, toJson(request), events);
    return { request, etag };
  }

  async update(request: ApprovalRequest, etag: number, events: AssentEvent[]): Promise<StoredRequest> {
    const next = await this.store.update(request.tenant, request.id, toJson(request), etag, events);
    return { request, etag: next };
  }

  /**
   * Walks ids newest first (ULIDs sort by time). Scans the tenant's subjects, so it
   * suits thousands of requests per tenant; the inbox projection will replace it.
   */
  async list(tenant: string, opts: { state: RequestState | undefined; limit: number; after: string | undefined }) {
    const ids = (await this.store.ids(tenant)).reverse().filter((id) => !opts.after || id < opts.after);
    const requests: ApprovalRequest[] = [];
    let i = 0;
    for (; i < ids.length && requests.length < opts.limit; i++) {
      const found = await this.get(tenant, ids[i] as string);
      if (found && (!opts.state || found.request.state === opts.state)) requests.push(found.request);
    }
    return { requests, next: i < ids.length && requests.length === opts.limit ? requests.at(-1)?.id : undefined };
  }
}
