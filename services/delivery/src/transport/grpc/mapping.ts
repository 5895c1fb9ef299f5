import { deliveryv1 } from '@assent/proto';
import type { Attempt, Endpoint, StreamCredential } from '../../domain/types.js';

/** The secret is set only on the CreateEndpoint response. */
export const toProtoEndpoint = (e: Omit<Endpoint, 'secret'> & { secret?: string }): deliveryv1.Endpoint => ({
  id: e.id,
  tenant: e.tenant,
  url: e.url,
  description: e.description,
  eventTypes: [...e.eventTypes],
  secret: e.secret ?? '',
  createdAt: e.createdAt,
});

export const toProtoAttempt = (a: Attempt): deliveryv1.Attempt => ({
  endpointId: a.endpointId,
  eventId: a.eventId,
  eventType: a.eventType,
  attempt: a.attempt,
  result: a.result === 'SUCCEEDED' ? deliveryv1.AttemptResult.ATTEMPT_RESULT_SUCCEEDED : deliveryv1.AttemptResult.ATTEMPT_RESULT_FAILED,
  httpStatus: a.httpStatus,
  error: a.error,
  durationMs: a.durationMs,
  at: a.at,
});

export const toProtoStreamCredential = (c: StreamCredential): deliveryv1.StreamCredential => ({
  id: c.id,
  tenant: c.tenant,
  consumer: c.consumer,
  publicKey: c.publicKey,
  createdAt: c.createdAt,
  createdBy: c.createdBy,
  revokedAt: c.revokedAt,
});
