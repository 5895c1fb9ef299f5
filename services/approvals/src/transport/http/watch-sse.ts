import type { IncomingMessage, ServerResponse } from 'node:http';
import { DomainError, RateLimitedError, type HttpHandler, type Logger, type Principal } from '@assent/platform';
import { approvalsv1 } from '@assent/proto';
import { watchRequest } from '../../domain/commands/watch-request.js';
import type { ApprovalsDeps } from '../../domain/ports.js';
import { toProtoRequest } from '../grpc/mapping.js';

/** GET /v1/tenants/<tenant>/requests/<id>/watch */
const ROUTE = /^\/v1\/tenants\/([^/]+)\/requests\/([^/]+)\/watch$/;

const statusOf: Record<string, number> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  failed_precondition: 409,
  resource_exhausted: 429,
  unavailable: 503,
};

export interface SseOptions {
  /** Verifies the bearer token and applies WatchRequest's rate limit. */
  authenticate: (authorization: string | undefined) => Promise<Principal>;
  /** A comment line this often keeps proxies and clients from timing the stream out. */
  heartbeatMs: number;
  logger: Logger;
  /** Aborted on shutdown: open streams end so the server can stop. */
  stopping: AbortSignal;
}

/**
 * WatchRequest over HTTP as server-sent events, for browsers and tools without a
 * gRPC client: `event: request` with the request's canonical proto JSON and its
 * revision as the event id, first the current state and then each later revision
 * once, a `: heartbeat` comment every `heartbeatMs`, and `event: end` after the
 * final revision (the same one that ends the gRPC stream), then the response ends.
 * Same authorization and rate limit as WatchRequest; errors are JSON with an HTTP
 * status before the stream starts.
 */
export function watchSseHandler(deps: ApprovalsDeps, opts: SseOptions): HttpHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const m = ROUTE.exec(path);
    if (!m) return false;
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'application/json' }).end(JSON.stringify({ error: 'method not allowed' }));
      return true;
    }
    const tenant = decodeURIComponent(m[1] ?? '');
    const id = decodeURIComponent(m[2] ?? '');
    const closed = new AbortController();
    res.on('close', () => closed.abort());
    const signal = AbortSignal.any([closed.signal, opts.stopping]);
    let heartbeat: NodeJS.Timeout | undefined;
    try {
      const principal = await opts.authenticate(req.headers.authorization);
      const stream = watchRequest(deps, principal, { tenant, id }, signal)[Symbol.asyncIterator]();
      // The first revision is read before the headers go out, so NOT_FOUND and friends are plain errors.
      let next = await stream.next();
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      heartbeat = setInterval(() => res.write(': heartbeat\n\n'), opts.heartbeatMs);
      let last: ReturnType<typeof toProtoRequest> | undefined;
      while (!next.done) {
        last = toProtoRequest(next.value);
        res.write(`id: ${last.revision}\nevent: request\ndata: ${JSON.stringify(approvalsv1.ApprovalRequest.toJSON(last))}\n\n`);
        next = await stream.next();
      }
      if (!signal.aborted && last) res.write(`event: end\ndata: ${JSON.stringify({ state: approvalsv1.requestStateToJSON(last.state), revision: last.revision })}\n\n`);
      res.end();
    } catch (err) {
      if (signal.aborted) return true;
      if (res.headersSent) {
        opts.logger.warn({ err, tenant, id }, 'request watch stream failed');
        res.end();
        return true;
      }
      const kind = err instanceof DomainError ? err.kind : undefined;
      const status = (kind && statusOf[kind]) ?? 500;
      if (status === 500) opts.logger.error({ err, tenant, id }, 'request watch failed');
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (err instanceof RateLimitedError) headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
      if (status === 401) headers['www-authenticate'] = 'Bearer';
      res.writeHead(status, headers).end(JSON.stringify({ error: status === 500 ? 'internal error' : (err as Error).message }));
    } finally {
      clearInterval(heartbeat);
    }
    return true;
  };
}
