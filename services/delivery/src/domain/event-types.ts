import type { Endpoint } from './types.js';

/** CloudEvents types Assent publishes: assent.<domain>.<event>.v<N>. */
export const EVENT_TYPE = /^assent\.[a-z_]+\.[a-z_]+\.v[1-9]\d*$/;

/** An endpoint with no event types receives every event of its tenant. */
export function endpointWants(endpoint: Endpoint, eventType: string): boolean {
  return !endpoint.disabled && (endpoint.eventTypes.length === 0 || endpoint.eventTypes.includes(eventType));
}
