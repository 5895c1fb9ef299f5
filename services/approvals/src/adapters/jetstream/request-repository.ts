import type { AssentEvent, StreamEntityStore } from '@assent/platform';
import type { RequestRepository } from '../../domain/ports.js';
import type { ApprovalRequest, RequestState, StoredRequest } from '../../domain/types.js';

/** JSON form stored on the request's state subject. */
type RequestJson = Omit<ApprovalRequest, 'createdAt' | 'updatedAt' | 'decidedAt' | 'grantExpiresAt' | 'votes'> & {
  createdAt: string;
  updatedAt: string;
  decidedAt?: string;
  grantExpiresAt?: string;
  votes: { approver: string; outcome: 'APPROVE' | 'DECLINE'; comment: string; at: string }[];
};

const toJson = (r: ApprovalRequest): RequestJson => ({
  ...r,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
  decidedAt: r.decidedAt?.toISOString(),
  grantExpiresAt: r.grantExpiresAt?.toISOString(),
  votes: r.votes.map((v) => ({ ...v, at: v.at.toISOString() })),
});

const fromJson = (j: RequestJson): ApprovalRequest => ({
  ...j,
  createdAt: new Date(j.createdAt),
  updatedAt: new Date(j.updatedAt),
  decidedAt: j.decidedAt ? new Date(j.decidedAt) : undefined,
  grantExpiresAt: j.grantExpiresAt ? new Date(j.grantExpiresAt) : undefined,
  votes: j.votes.map((v) => ({ ...v, at: new Date(v.at) })),
});

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
