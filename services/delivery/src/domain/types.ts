/** A webhook endpoint of a tenant: where events are POSTed, signed with its secret. */
export interface Endpoint {
  id: string;
  tenant: string;
  url: string;
  description: string;
  /** CloudEvents types delivered; empty means all. */
  eventTypes: string[];
  /** Standard Webhooks secret, "whsec_" + base64 of 24 random bytes. */
  secret: string;
  createdAt: Date;
  /** Disabled endpoints receive nothing (set by operators or future auto-disable). */
  disabled: boolean;
}

/** One event to deliver to one endpoint; the unit of work of the delivery worker. */
export interface DeliveryTask {
  tenant: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  /** The CloudEvent exactly as published (structured-mode JSON); it is the webhook body. */
  payload: string;
}

export type AttemptResult = 'SUCCEEDED' | 'FAILED';

/** What happens after an attempt: nothing more, another try later, or parked for good. */
export type AttemptOutcome = 'delivered' | 'retrying' | 'gave_up';

/** One HTTP attempt of a task, as shown by ListAttempts. */
export interface Attempt {
  tenant: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  /** 1-based attempt number of this task. */
  attempt: number;
  result: AttemptResult;
  outcome: AttemptOutcome;
  /** 0 when no response arrived (network error, timeout, blocked target). */
  httpStatus: number;
  error: string;
  durationMs: number;
  at: Date;
}

/** The decision a worker acts on after one attempt. */
export type DeliveryOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; delayMs: number; reason: string }
  | { kind: 'give_up'; reason: string }
  /** The endpoint is gone or disabled: nothing was sent and nothing will be. */
  | { kind: 'dropped'; reason: string };

/** Delivery policy, from config: how long to wait for a response and how to retry. */
export interface RetryPolicy {
  maxAttempts: number;
  /** Delay before retry n (1-based) is scheduleMs[n-1]; the last entry repeats. */
  scheduleMs: number[];
  /** Upper bound for a receiver's Retry-After. */
  maxRetryAfterMs: number;
  /** Spread of the random jitter, e.g. 0.2 = ±20 %. */
  jitter: number;
  timeoutMs: number;
}

/** A credential of an outside consumer on the event gateway: reads one tenant's stream. */
export interface StreamCredential {
  id: string;
  tenant: string;
  /** The durable pull consumer it reads; several credentials may share one (rotation). */
  consumer: string;
  /** The NATS user's public key: what a revocation names. */
  publicKey: string;
  createdAt: Date;
  /** Token subject of whoever created it. */
  createdBy: string;
  revokedAt: Date | undefined;
}
