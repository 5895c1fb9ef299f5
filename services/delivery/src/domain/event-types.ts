import type { Endpoint } from './types.js';

/** CloudEvents types Assent publishes: assent.<domain>.<event>.v<N>. */
export const EVENT_TYPE = /^assent\.[a-z_]+\.[a-z_]+\.v[1-9]\d*$/;

/**
 * Delivery's own events (endpoint and stream credential changes) are for audit, not
 * for outside consumers: an endpoint would otherwise learn of the tenant's other
 * endpoints and credentials, and a new endpoint would be told of itself.
 */
export const isOutsideEvent = (eventType: string): boolean => !eventType.startsWith('assent.delivery.');

/** An endpoint with no event types receives every event of its tenant that goes outside. */
export function endpointWants(endpoint: Endpoint, eventType: string): boolean {
  return !endpoint.disabled && isOutsideEvent(eventType) && (endpoint.eventTypes.length === 0 || endpoint.eventTypes.includes(eventType));
}
