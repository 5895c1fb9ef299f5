import type { TenantDirectory } from '@assent/platform/domain';
import type { Attempt, DeliveryTask, Endpoint, RetryPolicy, StreamCredential } from './types.js';

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

/** Stream credentials per tenant (JetStream KV `<ROOT>_delivery_gateway`, key `cred.<tenant>.<id>`). */
export interface StreamCredentialRepository {
  create(credential: StreamCredential): Promise<void>;
  get(tenant: string, id: string): Promise<StreamCredential | undefined>;
  /** The tenant's credentials, oldest first. */
  list(tenant: string): Promise<StreamCredential[]>;
  update(credential: StreamCredential): Promise<void>;
}

/**
 * The event gateway (a NATS server in operator mode, one account per tenant) where
 * outside consumers read their tenant's events.
 */
export interface EventGateway {
  /** The gateway's URL as consumers reach it. */
  readonly url: string;
  /** The stream every tenant account holds its events in. */
  readonly stream: string;
  /** Where readers find the JetStream API (their client's `apiPrefix`). */
  readonly apiPrefix: string;
  /** Subjects of a tenant's events, e.g. "assent.evt.acme.>". */
  subjectsOf(tenant: string): string;
  /** The tenant's account, its stream and the durable pull consumer exist afterwards (idempotent). */
  prepare(tenant: string, consumer: string): Promise<void>;
  /** A new reader of the tenant's stream (signed here, nothing is sent to the gateway). */
  signReader(tenant: string, name: string): Promise<{ publicKey: string; creds: string }>;
  /** Voids the user's credentials: the gateway closes its connections and refuses it (idempotent). */
  revoke(tenant: string, publicKey: string): Promise<void>;
  /** Whether the tenant has an account here (its events are to be forwarded). */
  serves(tenant: string): boolean;
  /** Copies an event into its tenant's stream once (by event id); nothing when the tenant has no account. */
  forward(event: { tenant: string; subject: string; id: string; payload: Uint8Array }): Promise<void>;
}

/**
 * Publishes delivery's own domain events (assent.delivery.*.v1: who created an
 * endpoint, issued or revoked a stream credential), so audit records them.
 */
export interface DeliveryEvents {
  publish(event: { type: string; tenant: string; subject: string; data: unknown }): Promise<void>;
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
  credentials: StreamCredentialRepository;
  /** Absent when no gateway is configured: stream credentials are then FAILED_PRECONDITION. */
  gateway: EventGateway | undefined;
  events: DeliveryEvents;
}
