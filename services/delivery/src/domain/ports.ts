import type { TenantDirectory } from '@assent/platform/domain';
import type { Attempt, DeliveryTask, Endpoint, RetryPolicy } from './types.js';

/** Endpoints per tenant (JetStream KV `<ROOT>_delivery_endpoints`, key `<tenant>.<id>`). */
export interface EndpointRepository {
  /** Stores a new endpoint; AlreadyExistsError if the id is taken in the tenant. */
  create(endpoint: Endpoint): Promise<void>;
  get(tenant: string, id: string): Promise<Endpoint | undefined>;
  /** The tenant's endpoints, oldest first. */
  list(tenant: string): Promise<Endpoint[]>;
}

/** Durable queue of delivery tasks; enqueueing the same (event, endpoint) twice stores it once. */
export interface TaskQueue {
  enqueue(task: DeliveryTask): Promise<void>;
}

/** Append-only log of delivery attempts per tenant and endpoint. */
export interface AttemptLog {
  /** Idempotent per (event, endpoint, attempt number). */
  record(attempt: Attempt): Promise<void>;
  /** Newest first, at most `limit`; all endpoints of the tenant when endpointId is undefined. */
  list(tenant: string, endpointId: string | undefined, limit: number): Promise<Attempt[]>;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** What came back from one POST: a response (any status) or no response at all. */
export type SendResult =
  | { kind: 'response'; status: number; retryAfter: string | undefined; durationMs: number }
  | { kind: 'error'; error: string; timedOut: boolean; durationMs: number };

/** POSTs a webhook; never throws for network failures (they are a SendResult). */
export interface WebhookSender {
  send(request: WebhookRequest): Promise<SendResult>;
}

/** Resolves a host name to every address it has (A and AAAA). */
export interface HostResolver {
  /** [] when the name does not exist; throws when DNS cannot answer. */
  resolve(host: string): Promise<string[]>;
}

export interface Clock {
  now(): Date;
}

export interface IdSource {
  /** A new ULID. */
  newId(): string;
  /** A new Standard Webhooks secret ("whsec_" + base64 of 24 random bytes). */
  newSecret(): string;
}

export interface DeliveryDeps {
  endpoints: EndpointRepository;
  tasks: TaskQueue;
  attempts: AttemptLog;
  sender: WebhookSender;
  resolver: HostResolver;
  clock: Clock;
  ids: IdSource;
  retry: RetryPolicy;
  /** Local development and tests only: lets endpoints target loopback and private networks. */
  allowPrivateTargets: boolean;
  /** Source of jitter in [0, 1); injectable so tests are deterministic. */
  random: () => number;
  /** Which tenants exist: endpoints and lists for another are NOT_FOUND. */
  tenants: TenantDirectory;
}
