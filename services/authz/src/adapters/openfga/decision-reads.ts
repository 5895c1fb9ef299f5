import { UnavailableError } from '@assent/platform';
import type { TupleKey } from '@openfga/sdk';
import { Pool } from 'undici';

/** The two OpenFGA calls an uncached decision makes: a Check and a one-tuple Read. */
export interface DecisionReads {
  check(modelId: string, tuple: { user: string; relation: string; object: string }, context?: Record<string, unknown>): Promise<boolean>;
  /** The tuples at exactly this user, relation and object (0 or 1; conditions included). */
  read(tuple: { user: string; relation: string; object: string }): Promise<TupleKey[]>;
  close(): Promise<void>;
}

/** OpenFGA refused the call as malformed or unauthenticated: a bug or a misconfiguration here, never an answer. */
export class OpenFgaCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OpenFgaCallError';
  }
}

export interface OpenFgaHttpReadsOptions {
  apiUrl: string;
  storeId: string;
  presharedKey?: string | undefined;
  /** Sockets kept open to OpenFGA (each carries one call at a time). */
  connections?: number;
  /** Whole-call bound: headers and body each (the SDK's default timeout is the same). */
  timeoutMs?: number;
}

/**
 * The decision path's OpenFGA calls over undici, everything else through
 * @openfga/sdk. Profiled on the uncached Check (decisions.md, "The decision
 * path's OpenFGA client"): an SDK call cost 1.0–1.9 ms of authz's CPU, most of it
 * in axios's request pipeline and follow-redirects; the same call on a kept-alive
 * undici pool costs 0.4 ms. The uncached Check makes two calls in parallel on one
 * event loop, so that CPU was most of what authz added to OpenFGA's own latency.
 * The bodies are exactly what the SDK sends for these endpoints.
 *
 * No retries: a failed call is UNAVAILABLE at once and the caller (who retries
 * UNAVAILABLE) decides, rather than a decision waiting out backoffs here.
 */
export class OpenFgaHttpReads implements DecisionReads {
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;
  private readonly checkPath: string;
  private readonly readPath: string;

  constructor(private readonly opts: OpenFgaHttpReadsOptions) {
    const timeout = opts.timeoutMs ?? 10_000;
    this.pool = new Pool(new URL(opts.apiUrl).origin, {
      connections: opts.connections ?? 32,
      pipelining: 1,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connectTimeout: timeout,
    });
    this.headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(opts.presharedKey ? { authorization: `Bearer ${opts.presharedKey}` } : {}),
    };
    const base = new URL(opts.apiUrl).pathname.replace(/\/+$/, '');
    this.checkPath = `${base}/stores/${encodeURIComponent(opts.storeId)}/check`;
    this.readPath = `${base}/stores/${encodeURIComponent(opts.storeId)}/read`;
  }

  async check(modelId: string, tuple: { user: string; relation: string; object: string }, context?: Record<string, unknown>): Promise<boolean> {
    const res = await this.post<{ allowed?: boolean }>(this.checkPath, {
      tuple_key: tuple,
      ...(context ? { context } : {}),
      authorization_model_id: modelId,
      consistency: 'HIGHER_CONSISTENCY',
    });
    return res.allowed === true;
  }

  async read(tuple: { user: string; relation: string; object: string }): Promise<TupleKey[]> {
    const res = await this.post<{ tuples?: { key: TupleKey }[] }>(this.readPath, { tuple_key: tuple });
    return (res.tuples ?? []).map((t) => t.key);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    let status: number;
    let text: string;
    try {
      const res = await this.pool.request({ path, method: 'POST', headers: this.headers, body: JSON.stringify(body) });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      throw new UnavailableError(`OpenFGA unavailable: ${(err as Error).message}`, { cause: err });
    }
    if (status >= 200 && status < 300) return JSON.parse(text) as T;
    const parsed = safeJson(text);
    const code = typeof parsed?.code === 'string' ? parsed.code : `http_${status}`;
    const message = `OpenFGA answered ${status} ${code}${typeof parsed?.message === 'string' ? `: ${parsed.message}` : ''}`;
    // A malformed or unauthenticated call is ours (as the SDK's validation and authentication errors);
    // anything else (overload, timeouts, server faults, a store that is gone) is OpenFGA being unavailable.
    if (status === 400 || status === 401 || status === 403) throw new OpenFgaCallError(status, code, message);
    throw new UnavailableError(message);
  }
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
