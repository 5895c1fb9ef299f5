import type { StreamEntityStore } from '@assent/platform';
import type { RequestWatcher } from '../../domain/ports.js';
import type { StoredRequest } from '../../domain/types.js';
import { fromJson, type RequestJson } from './request-json.js';

/**
 * Revisions pushed from the request's state subject by an ordered JetStream
 * consumer (one per watch, deleted when the watch ends). Only stored messages are
 * seen, so a write that lost its compare-and-set never reaches a watcher.
 */
export class StreamRequestWatcher implements RequestWatcher {
  constructor(private readonly store: StreamEntityStore<RequestJson>) {}

  async *watch(tenant: string, id: string, afterEtag: number, signal: AbortSignal): AsyncGenerator<StoredRequest> {
    for await (const v of this.store.watch(tenant, id, afterEtag, signal)) yield { request: fromJson(v.value), etag: v.revision };
  }
}
